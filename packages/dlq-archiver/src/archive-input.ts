import { readHeaderText, RetryHeader, type ConsumedRecord } from '@ricochet/core';
import type { ArchivedHeader, ArchiveInput } from '@ricochet/archive';

/** What the archive's columns hold: partitions and try counts are int32, offsets int64. */
const maxInt32 = 2 ** 31 - 1;
const maxInt64 = 2n ** 63n - 1n;

/** A whole number from 0 to `max`, else null: the store refuses anything outside its column. */
function integerOrNull(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^\d+$/.test(text)) {
    return null;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= max ? value : null;
}

function offsetOrNull(text: string | undefined): string | null {
  if (text === undefined || !/^(0|[1-9]\d*)$/.test(text)) {
    return null;
  }
  return BigInt(text) <= maxInt64 ? text : null;
}

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
 * What the archive keeps of a dead letter. Dead letters include records whose retry headers were
 * malformed, so each field is read on its own and a bad one is stored as null, never refused:
 * the raw headers are kept in full either way. A value the store would refuse must never get
 * through, or the archiver would retry that batch forever and archive nothing after it.
 */
export function toArchiveInput(
  record: ConsumedRecord,
  searchableValue: string | null,
): ArchiveInput {
  const text = (header: string): string | null => readHeaderText(record.headers, header) ?? null;
  const int32 = (header: string): number | null =>
    integerOrNull(readHeaderText(record.headers, header), maxInt32);
  const time = (header: string): number | null =>
    integerOrNull(readHeaderText(record.headers, header), Number.MAX_SAFE_INTEGER);
  return {
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: record.offset,
    originalTopic: text(RetryHeader.originalTopic),
    originalPartition: int32(RetryHeader.originalPartition),
    originalOffset: offsetOrNull(readHeaderText(record.headers, RetryHeader.originalOffset)),
    originalTimestamp: time(RetryHeader.originalTimestamp),
    key: record.key,
    value: record.value,
    headers: headerList(record),
    tryCount: int32(RetryHeader.tryCount),
    retryGroup: text(RetryHeader.retryGroup),
    errorClass: text(RetryHeader.errorClass),
    errorMessage: text(RetryHeader.errorMessage),
    errorStack: text(RetryHeader.errorStack),
    firstFailureAt: time(RetryHeader.firstFailureAt),
    lastFailureAt: time(RetryHeader.lastFailureAt),
    deadLetterReason: text(RetryHeader.deadLetterReason),
    searchableValue,
  };
}
