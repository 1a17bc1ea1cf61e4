import {
  ConnectDeadLetterHeader,
  decodeUtf8,
  isConnectDeadLetterHeader,
  isSpringDeadLetterHeader,
  readHeaderText,
  RetryHeader,
  SpringDeadLetterHeader,
  type ConsumedRecord,
  type HeaderValue,
  type RecordHeaders,
} from '@ricochet/core';
import type { ArchivedHeader, ArchiveInput } from '@ricochet/archive';
import type { DeadLetterFormat } from './defaults.js';

/** What the archive's columns hold: partitions and try counts are int32, offsets int64. */
const maxInt32 = 2 ** 31 - 1;
const maxInt64 = 2n ** 63n - 1n;

/** The fields a dead letter's headers give, whichever system wrote them. */
type DeadLetterFields = Pick<
  ArchiveInput,
  | 'originalTopic'
  | 'originalPartition'
  | 'originalOffset'
  | 'originalTimestamp'
  | 'tryCount'
  | 'retryGroup'
  | 'errorClass'
  | 'errorMessage'
  | 'errorStack'
  | 'firstFailureAt'
  | 'lastFailureAt'
  | 'deadLetterReason'
>;

type ReadableFormat = Exclude<DeadLetterFormat, 'auto'>;

/** A whole number from 0 to `max`, else null: the store refuses anything outside its column. */
function integerOrNull(text: string | null | undefined, max: number): number | null {
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    return null;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= max ? value : null;
}

function offsetOrNull(text: string | null | undefined): string | null {
  if (typeof text !== 'string' || !/^(0|[1-9]\d*)$/.test(text)) {
    return null;
  }
  return BigInt(text) <= maxInt64 ? text : null;
}

/**
 * Spring and Connect add a header again each time a record is dead-lettered rather than
 * replacing it, so the last value sent is the current one.
 */
function lastValue(headers: RecordHeaders, name: string): HeaderValue | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

function lastText(headers: RecordHeaders, name: string): string | null {
  const value = lastValue(headers, name);
  if (value === undefined) {
    return null;
  }
  const text = typeof value === 'string' ? value : decodeUtf8(value);
  return text === undefined || text === '' ? null : text;
}

/** Java's ByteBuffer.putInt / putLong: big-endian two's complement of exactly 4 or 8 bytes. */
function bigEndianInteger(headers: RecordHeaders, name: string, bytes: 4 | 8): bigint | null {
  const value = lastValue(headers, name);
  if (!Buffer.isBuffer(value) || value.length !== bytes) {
    return null;
  }
  return bytes === 4 ? BigInt(value.readInt32BE(0)) : value.readBigInt64BE(0);
}

function bigEndianPartition(headers: RecordHeaders, name: string): number | null {
  const value = bigEndianInteger(headers, name, 4);
  return value === null || value < 0n ? null : Number(value);
}

function bigEndianOffset(headers: RecordHeaders, name: string): string | null {
  const value = bigEndianInteger(headers, name, 8);
  return value === null || value < 0n ? null : value.toString();
}

/** Negative for Kafka's "no timestamp" (-1). */
function bigEndianTime(headers: RecordHeaders, name: string): number | null {
  const value = bigEndianInteger(headers, name, 8);
  return value === null || value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)
    ? null
    : Number(value);
}

/** The dead letter's own timestamp, for the systems that put a meaning in it. */
function ownTimestamp(record: ConsumedRecord): number | null {
  return integerOrNull(record.timestamp, Number.MAX_SAFE_INTEGER);
}

function ricochetFields(record: ConsumedRecord): DeadLetterFields {
  const text = (header: string): string | null => readHeaderText(record.headers, header) ?? null;
  const int32 = (header: string): number | null =>
    integerOrNull(readHeaderText(record.headers, header), maxInt32);
  const time = (header: string): number | null =>
    integerOrNull(readHeaderText(record.headers, header), Number.MAX_SAFE_INTEGER);
  return {
    originalTopic: text(RetryHeader.originalTopic),
    originalPartition: int32(RetryHeader.originalPartition),
    originalOffset: offsetOrNull(readHeaderText(record.headers, RetryHeader.originalOffset)),
    originalTimestamp: time(RetryHeader.originalTimestamp),
    tryCount: int32(RetryHeader.tryCount),
    retryGroup: text(RetryHeader.retryGroup),
    errorClass: text(RetryHeader.errorClass),
    errorMessage: text(RetryHeader.errorMessage),
    errorStack: text(RetryHeader.errorStack),
    firstFailureAt: time(RetryHeader.firstFailureAt),
    lastFailureAt: time(RetryHeader.lastFailureAt),
    deadLetterReason: text(RetryHeader.deadLetterReason),
  };
}

function springFields(record: ConsumedRecord): DeadLetterFields {
  const text = (header: string): string | null => lastText(record.headers, header);
  const header = SpringDeadLetterHeader;
  return {
    originalTopic: text(header.originalTopic),
    originalPartition: bigEndianPartition(record.headers, header.originalPartition),
    originalOffset: bigEndianOffset(record.headers, header.originalOffset),
    originalTimestamp: bigEndianTime(record.headers, header.originalTimestamp),
    // Spring counts no tries in its DLT headers.
    tryCount: null,
    retryGroup: text(header.originalConsumerGroup),
    // The listener's own exception, not the ListenerExecutionFailedException Spring wraps
    // nearly every one in: a class name that named the wrapper would group nothing.
    errorClass:
      text(header.exceptionCauseClass) ??
      text(header.exceptionClass) ??
      text(header.keyExceptionClass),
    errorMessage: text(header.exceptionMessage) ?? text(header.keyExceptionMessage),
    errorStack: text(header.exceptionStacktrace) ?? text(header.keyExceptionStacktrace),
    firstFailureAt: null,
    // Spring leaves the dead letter's timestamp unset (createProducerRecord), so the producer
    // stamps it when the record is dead-lettered: after its last failure.
    lastFailureAt: ownTimestamp(record),
    deadLetterReason: null,
  };
}

function connectFields(record: ConsumedRecord): DeadLetterFields {
  const text = (header: string): string | null => lastText(record.headers, header);
  const header = ConnectDeadLetterHeader;
  return {
    originalTopic: text(header.originalTopic),
    originalPartition: integerOrNull(text(header.originalPartition), maxInt32),
    originalOffset: offsetOrNull(text(header.originalOffset)),
    // Connect copies the original record's timestamp onto the dead letter.
    originalTimestamp: ownTimestamp(record),
    tryCount: null,
    // A sink connector consumes as the group `connect-<name>` unless overridden; the headers
    // name the connector, which is what an operator filters by.
    retryGroup: text(header.connectorName),
    errorClass: text(header.exceptionClass),
    errorMessage: text(header.exceptionMessage),
    errorStack: text(header.exceptionStacktrace),
    firstFailureAt: null,
    lastFailureAt: null,
    deadLetterReason: null,
  };
}

/**
 * Whose dead letter a record is, by the headers it carries. Ricochet's first: every dead letter
 * it writes has `dead-letter-reason`, and a record can carry another system's headers from an
 * earlier life (its user headers are kept). A record with none of them reads as Ricochet's,
 * whose absent headers are stored as nulls.
 */
function detectDeadLetterFormat(headers: RecordHeaders): ReadableFormat {
  if (headers[RetryHeader.deadLetterReason] !== undefined) {
    return 'ricochet';
  }
  const names = Object.keys(headers);
  if (names.some(isSpringDeadLetterHeader)) {
    return 'spring';
  }
  if (names.some(isConnectDeadLetterHeader)) {
    return 'connect';
  }
  return 'ricochet';
}

const fieldReaders: Record<ReadableFormat, (record: ConsumedRecord) => DeadLetterFields> = {
  ricochet: ricochetFields,
  spring: springFields,
  connect: connectFields,
};

function headerList(record: ConsumedRecord): ArchivedHeader[] {
  return Object.entries(record.headers).flatMap(([name, value]) => {
    if (value === undefined) {
      return [];
    }
    const values = Array.isArray(value) ? value : [value];
    return values.map((item) => ({
      name,
      value: typeof item === 'string' ? Buffer.from(item) : item,
    }));
  });
}

/**
 * What the archive keeps of a dead letter, its fields read from the headers of `format`'s
 * system. Dead letters include records whose headers were malformed, so each field is read on
 * its own and a bad one is stored as null, never refused: the raw headers are kept in full
 * either way. A value the store would refuse must never get through, or the archiver would
 * retry that batch forever and archive nothing after it.
 */
export function toArchiveInput(
  record: ConsumedRecord,
  searchableValue: string | null,
  format: DeadLetterFormat,
): ArchiveInput {
  const readable = format === 'auto' ? detectDeadLetterFormat(record.headers) : format;
  return {
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: record.offset,
    key: record.key,
    value: record.value,
    headers: headerList(record),
    ...fieldReaders[readable](record),
    searchableValue,
  };
}
