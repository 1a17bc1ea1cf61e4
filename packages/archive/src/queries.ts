import { ConfigError, replayedFromHeader } from '@ricochet/core';
import { Parameters, whereClause, type Dialect } from './query-builder.js';
import { encodeHeaders } from './codec.js';
import { insertColumns, recordTable, selectColumns } from './records.js';
import type { ArchiveFilter } from './types.js';

/** SQL text with its bound values; the text never contains a caller's value. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

export function getStatement(dialect: Dialect, id: number): Statement {
  const parameters = new Parameters(dialect);
  const text = `SELECT ${selectColumns} FROM ${recordTable} WHERE id = ${parameters.bind(id)}`;
  return { text, values: parameters.values };
}

/** Newest first, `limit` rows after the keyset position `beforeId`. */
export function listStatement(
  dialect: Dialect,
  filter: ArchiveFilter,
  limit: number,
  beforeId: number | undefined,
): Statement {
  const parameters = new Parameters(dialect);
  const where = whereClause(filter, dialect, parameters, { beforeId });
  const text =
    `SELECT ${selectColumns} FROM ${recordTable} WHERE ${where} ` +
    `ORDER BY id DESC LIMIT ${parameters.bind(limit)}`;
  return { text, values: parameters.values };
}

/** Oldest first, `limit` rows after `afterId` up to `throughId`: the order replay walks. */
export function listAfterStatement(
  dialect: Dialect,
  filter: ArchiveFilter,
  keyset: { readonly afterId: number; readonly throughId: number | undefined },
  limit: number,
): Statement {
  const parameters = new Parameters(dialect);
  const where = whereClause(filter, dialect, parameters, keyset);
  const text =
    `SELECT ${selectColumns} FROM ${recordTable} WHERE ${where} ` +
    `ORDER BY id ASC LIMIT ${parameters.bind(limit)}`;
  return { text, values: parameters.values };
}

/**
 * The records archived after `id` whose headers hold `replayed-from: <id>` (its replays that were
 * dead-lettered again), oldest first. Headers are stored as JSON text written by encodeHeaders
 * alone, so the header's exact encoding is a substring of the row's headers and of no other
 * row's: inside a JSON string a quote is always escaped, so a header's name or value cannot
 * forge the `{"name":` that starts an entry. Not indexed: it scans the records archived after
 * this one, so the console asks only for records replayed at least once.
 */
export function replaysOfStatement(dialect: Dialect, id: number, limit: number): Statement {
  const parameters = new Parameters(dialect);
  const entry = encodeHeaders('replayedFrom', [
    { name: replayedFromHeader, value: Buffer.from(String(id)) },
  ]).slice(1, -1);
  const text =
    `SELECT ${selectColumns} FROM ${recordTable} WHERE id > ${parameters.bind(id)} ` +
    `AND ${dialect.contains('headers', parameters.bind(entry))} ` +
    `ORDER BY id ASC LIMIT ${parameters.bind(limit)}`;
  return { text, values: parameters.values };
}

export function countStatement(
  dialect: Dialect,
  filter: ArchiveFilter,
  throughId: number | undefined,
): Statement {
  const parameters = new Parameters(dialect);
  const where = whereClause(filter, dialect, parameters, { throughId });
  return {
    text: `SELECT COUNT(*) AS count FROM ${recordTable} WHERE ${where}`,
    values: parameters.values,
  };
}

const periodMilliseconds = { hour: 3_600_000, day: 86_400_000 } as const;

export interface StatsStatements {
  readonly byOriginalTopic: Statement;
  readonly byErrorClass: Statement;
  readonly byDeadLetterReason: Statement;
  readonly byPeriod: Statement;
}

/** Each statement yields rows of (name, count). */
export function statsStatements(
  dialect: Dialect,
  filter: ArchiveFilter,
  period: 'hour' | 'day',
): StatsStatements {
  const size = periodMilliseconds[period];
  if (size === undefined) {
    throw new ConfigError('period', `must be hour or day, got ${String(period)}`);
  }
  // GROUP BY 1 rather than the expression again: SQLite's `?` cannot be referred to twice.
  const grouped = (expression: (parameters: Parameters) => string): Statement => {
    const parameters = new Parameters(dialect);
    const name = expression(parameters);
    const where = whereClause(filter, dialect, parameters);
    const text =
      `SELECT ${name} AS name, COUNT(*) AS count FROM ${recordTable} ` +
      `WHERE ${where} GROUP BY 1`;
    return { text, values: parameters.values };
  };
  return {
    byOriginalTopic: grouped(() => 'original_topic'),
    byErrorClass: grouped(() => 'error_class'),
    byDeadLetterReason: grouped(() => 'dead_letter_reason'),
    // Integer division of epoch ms: the same UTC buckets on both backends, no time-zone rules.
    byPeriod: grouped((parameters) => {
      const bucket = (): string => dialect.integer(parameters.bind(size));
      return `(archived_at / ${bucket()}) * ${bucket()}`;
    }),
  };
}

export function markReplayedStatement(dialect: Dialect, id: number, at: number): Statement {
  return markManyReplayedStatement(dialect, [id], at);
}

/** markReplayed for many ids at once (a replay job's progress save). */
export function markManyReplayedStatement(
  dialect: Dialect,
  ids: readonly number[],
  at: number,
): Statement {
  const parameters = new Parameters(dialect);
  const text =
    `UPDATE ${recordTable} SET status = 'replayed', replayed_at = ${parameters.bind(at)}, ` +
    `replay_count = replay_count + 1 ` +
    `WHERE ${whereClause({ ids }, dialect, parameters)} AND status <> 'purged'`;
  return { text, values: parameters.values };
}

/** Already-purged records are left out, so the count is what this call purged. */
export function purgeStatement(dialect: Dialect, filter: ArchiveFilter): Statement {
  const parameters = new Parameters(dialect);
  const where = whereClause(filter, dialect, parameters);
  const text =
    `UPDATE ${recordTable} SET status = 'purged', record_key = NULL, record_value = NULL, ` +
    `headers = '[]', searchable_value = NULL WHERE ${where} AND status <> 'purged'`;
  return { text, values: parameters.values };
}

/**
 * An insert of `rows` records that skips any already stored: at the same dead-letter position,
 * or the same original record failed by the same group (migration 2). No conflict target, so
 * both unique constraints skip; other constraint failures still fail the insert.
 */
export function insertText(dialect: Dialect, rows: number): string {
  let position = 0;
  const tuples: string[] = [];
  for (let row = 0; row < rows; row += 1) {
    const placeholders = insertColumns.map(() => dialect.placeholder((position += 1)));
    tuples.push(`(${placeholders.join(', ')})`);
  }
  return (
    `INSERT INTO ${recordTable} (${insertColumns.join(', ')}) VALUES ${tuples.join(', ')} ` +
    `ON CONFLICT DO NOTHING`
  );
}
