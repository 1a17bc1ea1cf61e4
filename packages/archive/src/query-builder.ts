import { ConfigError } from '@ricochet/core';
import { indexedText, storableText } from './codec.js';
import { checkTime } from './settings.js';
import type { ArchiveFilter, ArchiveStatus } from './types.js';

/** What differs between the backends' SQL; everything else is written once. */
export interface Dialect {
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(position: number): string;
  /** A condition `id` is one of the ids bound (as one parameter) at `placeholder`. */
  idIn(placeholder: string): string;
  idList(ids: readonly number[]): unknown;
  /** Lower-cases text as JavaScript's toLowerCase does the grep text (Unicode, not ASCII only). */
  lower(expression: string): string;
  /** A bound parameter read as a 64-bit integer (SQLite binds JS numbers as REAL). */
  integer(placeholder: string): string;
  /** A condition: `expression` holds the text bound at `placeholder`, case and all. */
  contains(expression: string, placeholder: string): string;
  /** The record's key equals the bytes at `placeholder`, in the form the key index serves. */
  keyEquals(placeholder: string): string;
}

export const sqliteDialect: Dialect = {
  placeholder: () => '?',
  idIn: (placeholder) => `id IN (SELECT value FROM json_each(${placeholder}))`,
  idList: (ids) => JSON.stringify(ids),
  // A JavaScript function registered on each connection: SQLite's lower() is ASCII-only.
  lower: (expression) => `ricochet_lower(${expression})`,
  integer: (placeholder) => `CAST(${placeholder} AS INTEGER)`,
  // Not LIKE: SQLite's folds ASCII case, and base64 is case-sensitive.
  contains: (expression, placeholder) => `instr(${expression}, ${placeholder}) > 0`,
  keyEquals: (placeholder) => `record_key = ${placeholder}`,
};

export const postgresDialect: Dialect = {
  placeholder: (position) => `$${position}`,
  idIn: (placeholder) => `id = ANY(${placeholder}::bigint[])`,
  idList: (ids) => ids,
  // Unicode-aware under a UTF-8 LC_CTYPE; a database created with the C locale folds ASCII only.
  lower: (expression) => `lower(${expression})`,
  integer: (placeholder) => `CAST(${placeholder} AS BIGINT)`,
  contains: (expression, placeholder) => `strpos(${expression}, ${placeholder}) > 0`,
  // The index holds the key's hash (migration 4); the second test weeds out collisions.
  keyEquals: (placeholder) =>
    `md5(record_key) = md5(${placeholder}::bytea) AND record_key = ${placeholder}::bytea`,
};

/** Collects bound values; every value in a statement goes through here, never into its text. */
export class Parameters {
  readonly values: unknown[] = [];

  constructor(private readonly dialect: Dialect) {}

  bind(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

const statuses: readonly ArchiveStatus[] = ['archived', 'replayed', 'purged'];
// `!` rather than backslash: its meaning in a string literal does not depend on server settings.
const likeEscape = '!';

/** The user's text as a LIKE pattern matching it literally anywhere. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (char) => likeEscape + char)}%`;
}

/** Where a page starts: below an id (newest first), or above one (oldest first). */
export interface Keyset {
  readonly beforeId?: number | undefined;
  readonly afterId?: number | undefined;
  readonly throughId?: number | undefined;
}

/**
 * The WHERE clause for a filter (`1 = 1` when empty); `keyset` adds the condition for the next
 * page. Throws ConfigError naming the field for a value that cannot be right.
 */
export function whereClause(
  filter: ArchiveFilter,
  dialect: Dialect,
  parameters: Parameters,
  keyset: Keyset = {},
): string {
  const conditions: string[] = [];
  const equals = (column: string, field: string, value: string | undefined): void => {
    if (value === undefined) {
      return;
    }
    if (typeof value !== 'string') {
      throw new ConfigError(field, 'must be a string');
    }
    const whole = storableText(value);
    const stored = indexedText(whole);
    // A long value is stored bounded; a row archived before the bound keeps it whole.
    conditions.push(
      stored === whole
        ? `${column} = ${parameters.bind(whole)}`
        : `${column} IN (${parameters.bind(stored)}, ${parameters.bind(whole)})`,
    );
  };
  if (filter.ids !== undefined) {
    conditions.push(dialect.idIn(parameters.bind(dialect.idList(checkIds(filter.ids)))));
  }
  equals('original_topic', 'originalTopic', filter.originalTopic);
  equals('retry_group', 'retryGroup', filter.retryGroup);
  equals('error_class', 'errorClass', filter.errorClass);
  equals('dead_letter_reason', 'deadLetterReason', filter.deadLetterReason);
  if (filter.since !== undefined) {
    conditions.push(`archived_at >= ${parameters.bind(checkTime('since', filter.since))}`);
  }
  if (filter.until !== undefined) {
    conditions.push(`archived_at < ${parameters.bind(checkTime('until', filter.until))}`);
  }
  if (filter.key !== undefined) {
    if (typeof filter.key !== 'string') {
      throw new ConfigError('key', 'must be a string');
    }
    conditions.push(dialect.keyEquals(parameters.bind(Buffer.from(filter.key, 'utf8'))));
  }
  if (filter.grep !== undefined) {
    if (typeof filter.grep !== 'string' || filter.grep === '') {
      throw new ConfigError('grep', 'must be a non-empty string');
    }
    const pattern = containsPattern(storableText(filter.grep));
    // Bound once per use: SQLite's `?` placeholders cannot be referred to twice.
    const like = (column: string): string =>
      `${dialect.lower(column)} LIKE ${parameters.bind(pattern)} ESCAPE '${likeEscape}'`;
    conditions.push(`(${like('error_message')} OR ${like('searchable_value')})`);
  }
  if (filter.status !== undefined) {
    if (!statuses.includes(filter.status)) {
      throw new ConfigError('status', `must be one of ${statuses.join(', ')}`);
    }
    conditions.push(`status = ${parameters.bind(filter.status)}`);
  }
  return joinConditions([...conditions, ...keysetConditions(keyset, parameters)]);
}

export function keysetConditions(keyset: Keyset, parameters: Parameters): string[] {
  return [
    ...(keyset.beforeId === undefined ? [] : [`id < ${parameters.bind(keyset.beforeId)}`]),
    ...(keyset.afterId === undefined ? [] : [`id > ${parameters.bind(keyset.afterId)}`]),
    ...(keyset.throughId === undefined ? [] : [`id <= ${parameters.bind(keyset.throughId)}`]),
  ];
}

export function joinConditions(conditions: readonly string[]): string {
  return conditions.length === 0 ? '1 = 1' : conditions.join(' AND ');
}

function checkIds(ids: readonly number[]): readonly number[] {
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
    throw new ConfigError('ids', 'must be positive whole numbers');
  }
  return ids;
}
