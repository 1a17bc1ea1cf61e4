import {
  bytesField,
  decodeHeaders,
  encodeHeaders,
  int64Text,
  integerField,
  indexedTextField,
  storableText,
  textField,
} from './codec.js';
import { ArchiveInputError, ArchiveStoreError } from './errors.js';
import type { ArchiveInput, ArchiveStatus, ArchivedRecord } from './types.js';

export const recordTable = 'ricochet_archive_record';

/** The columns `insert` writes, in the order `insertParameters` lists their values. */
export const insertColumns = [
  'dlq_topic',
  'dlq_partition',
  'dlq_offset',
  'original_topic',
  'original_partition',
  'original_offset',
  'original_timestamp',
  'record_key',
  'record_value',
  'headers',
  'try_count',
  'retry_group',
  'error_class',
  'error_message',
  'error_stack',
  'first_failure_at',
  'last_failure_at',
  'dead_letter_reason',
  'searchable_value',
  'archived_at',
] as const;

export const selectColumns = ['id', ...insertColumns, 'status', 'replayed_at', 'replay_count'].join(
  ', ',
);

const maxInt32 = 2 ** 31 - 1;
const { MIN_SAFE_INTEGER: minTime, MAX_SAFE_INTEGER: maxTime } = Number;

/**
 * Validates one record and lists its column values. Offsets come back as decimal text: SQLite
 * binds them as BigInt and PostgreSQL as text, so neither rounds them through a double.
 */
export function insertParameters(
  record: ArchiveInput,
  index: number,
  archivedAt: number,
  int64: (decimal: string) => unknown,
): unknown[] {
  if (typeof record !== 'object' || record === null) {
    throw new ArchiveInputError(`records[${index}]`, 'must be an object');
  }
  const field = (name: string): string => `records[${index}].${name}`;
  const nullableInteger = (name: keyof ArchiveInput, min: number, max: number): number | null => {
    const value = record[name] as number | null;
    return value === null ? null : integerField(field(name), value, min, max);
  };
  if (typeof record.dlqTopic !== 'string' || record.dlqTopic === '') {
    throw new ArchiveInputError(field('dlqTopic'), 'must be a non-empty string');
  }
  if (!Array.isArray(record.headers)) {
    throw new ArchiveInputError(field('headers'), 'must be an array');
  }
  return [
    storableText(record.dlqTopic),
    integerField(field('dlqPartition'), record.dlqPartition, 0, maxInt32),
    int64(int64Text(field('dlqOffset'), record.dlqOffset)),
    indexedTextField(field('originalTopic'), record.originalTopic),
    nullableInteger('originalPartition', 0, maxInt32),
    record.originalOffset === null
      ? null
      : int64(int64Text(field('originalOffset'), record.originalOffset)),
    nullableInteger('originalTimestamp', minTime, maxTime),
    bytesField(field('key'), record.key),
    bytesField(field('value'), record.value),
    encodeHeaders(field('headers'), record.headers),
    nullableInteger('tryCount', 0, maxInt32),
    indexedTextField(field('retryGroup'), record.retryGroup),
    indexedTextField(field('errorClass'), record.errorClass),
    textField(field('errorMessage'), record.errorMessage),
    textField(field('errorStack'), record.errorStack),
    nullableInteger('firstFailureAt', minTime, maxTime),
    nullableInteger('lastFailureAt', minTime, maxTime),
    indexedTextField(field('deadLetterReason'), record.deadLetterReason),
    textField(field('searchableValue'), record.searchableValue),
    archivedAt,
  ];
}

/** The bytes a record's key, value and headers take, to bound one statement's size. */
export function payloadSize(record: ArchiveInput): number {
  const headers = record.headers.reduce((sum, h) => sum + h.name.length + h.value.length, 0);
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + headers;
}

type Row = Record<string, unknown>;

/**
 * Integers arrive as bigint (SQLite in safe-integer mode), string (PostgreSQL int8) or number
 * (PostgreSQL int4); all fit a double except offsets, which stay text.
 */
export function toArchivedRecord(row: Row): ArchivedRecord {
  return {
    id: toNumber(row.id),
    dlqTopic: String(row.dlq_topic),
    dlqPartition: toNumber(row.dlq_partition),
    dlqOffset: String(row.dlq_offset),
    originalTopic: toText(row.original_topic),
    originalPartition: toNullableNumber(row.original_partition),
    originalOffset: row.original_offset === null ? null : String(row.original_offset),
    originalTimestamp: toNullableNumber(row.original_timestamp),
    key: toBytes(row.record_key),
    value: toBytes(row.record_value),
    headers: decodeHeaders(String(row.headers)),
    tryCount: toNullableNumber(row.try_count),
    retryGroup: toText(row.retry_group),
    errorClass: toText(row.error_class),
    errorMessage: toText(row.error_message),
    errorStack: toText(row.error_stack),
    firstFailureAt: toNullableNumber(row.first_failure_at),
    lastFailureAt: toNullableNumber(row.last_failure_at),
    deadLetterReason: toText(row.dead_letter_reason),
    searchableValue: toText(row.searchable_value),
    archivedAt: toNumber(row.archived_at),
    status: String(row.status) as ArchiveStatus,
    replayedAt: toNullableNumber(row.replayed_at),
    replayCount: toNumber(row.replay_count),
  };
}

export function toNumber(value: unknown): number {
  const number = Number(value);
  if (value === null || value === undefined || !Number.isSafeInteger(number)) {
    throw new ArchiveStoreError(`expected a whole number from the database, got ${String(value)}`);
  }
  return number;
}

function toNullableNumber(value: unknown): number | null {
  return value === null ? null : toNumber(value);
}

function toText(value: unknown): string | null {
  return value === null ? null : String(value);
}

function toBytes(value: unknown): Buffer | null {
  if (value === null) {
    return null;
  }
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value);
  }
  throw new ArchiveStoreError(`expected bytes from the database, got ${typeof value}`);
}
