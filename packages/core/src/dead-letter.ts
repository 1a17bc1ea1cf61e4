import { writeDeadLetterHeaders, type DeadLetterReason } from './headers.js';
import type { ConsumedRecord, HeaderValue, OutgoingRecord, RecordHeaders } from './record.js';
import { recordSizeBound } from './record-size.js';

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

/**
 * The dead letter for a record that `refused.topic` would not take because, with Ricochet's
 * headers, it exceeds that topic's max.message.bytes: a tier (which lacks headroom over the
 * source topics) or the original topic a tier redelivers to. Kept whole, headers included, so it
 * can be replayed (without Ricochet's headers) once the limit is raised. Undefined for a record
 * that was already bound for the dead-letter topic: there is nowhere further to send it.
 */
export function tooLargeDeadLetter(
  refused: OutgoingRecord,
  dlqTopic: string,
): OutgoingRecord | undefined {
  if (refused.topic === dlqTopic) {
    return undefined;
  }
  const detail = `${refused.topic} refused the record (about ${recordSizeBound(refused)} bytes with Ricochet's headers) as larger than its max.message.bytes; raise that limit, then replay it`;
  return {
    topic: dlqTopic,
    key: refused.key,
    value: refused.value,
    headers: { ...refused.headers, ...writeDeadLetterHeaders('record-too-large', detail) },
  };
}
