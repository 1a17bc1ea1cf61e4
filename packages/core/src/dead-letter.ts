import { writeDeadLetterHeaders, type DeadLetterReason } from './headers.js';
import type { ConsumedRecord, HeaderValue, OutgoingRecord, RecordHeaders } from './record.js';

/** A record's headers as they can be produced again (absent entries dropped, nothing else). */
export function presentHeaders(
  headers: RecordHeaders,
): Record<string, HeaderValue | HeaderValue[]> {
  // fromEntries defines own properties: a header named __proto__ is kept, not made the prototype.
  return Object.fromEntries(
    Object.entries(headers).filter(
      (entry): entry is [string, HeaderValue | HeaderValue[]] => entry[1] !== undefined,
    ),
  );
}

/**
 * The record to dead-letter when it cannot be routed at all (malformed retry headers, unknown
 * original topic): key, value and every header kept as they came, plus the reason.
 */
export function unroutableDeadLetter(
  record: ConsumedRecord,
  dlqTopic: string,
  reason: DeadLetterReason,
  detail: string,
): OutgoingRecord {
  return {
    topic: dlqTopic,
    key: record.key,
    value: record.value,
    headers: { ...presentHeaders(record.headers), ...writeDeadLetterHeaders(reason, detail) },
  };
}
