import { readHeaderText, RetryHeader, type ConsumedRecord } from '@ricochet/core';
import type { ArchivedHeader, ArchiveInput } from '@ricochet/archive';

function integerOrNull(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) {
    return null;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
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
 * the raw headers are kept in full either way.
 */
export function toArchiveInput(
  record: ConsumedRecord,
  searchableValue: string | null,
): ArchiveInput {
  const text = (header: string): string | null => readHeaderText(record.headers, header) ?? null;
  const integer = (header: string): number | null =>
    integerOrNull(readHeaderText(record.headers, header));
  const originalOffset = text(RetryHeader.originalOffset);
  return {
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: record.offset,
    originalTopic: text(RetryHeader.originalTopic),
    originalPartition: integer(RetryHeader.originalPartition),
    originalOffset: originalOffset !== null && /^\d+$/.test(originalOffset) ? originalOffset : null,
    originalTimestamp: integer(RetryHeader.originalTimestamp),
    key: record.key,
    value: record.value,
    headers: headerList(record),
    tryCount: integer(RetryHeader.tryCount),
    retryGroup: text(RetryHeader.retryGroup),
    errorClass: text(RetryHeader.errorClass),
    errorMessage: text(RetryHeader.errorMessage),
    errorStack: text(RetryHeader.errorStack),
    firstFailureAt: integer(RetryHeader.firstFailureAt),
    lastFailureAt: integer(RetryHeader.lastFailureAt),
    deadLetterReason: text(RetryHeader.deadLetterReason),
    searchableValue,
  };
}
