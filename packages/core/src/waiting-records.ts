/** The records that wait behind a blocked key on a group's waiting topic: written, read back. */
import { BlockedKeysRecordError } from './blocked-keys.js';
import {
  isOffset,
  isPartitionText,
  maxEpochMilliseconds,
  offsetPattern,
  quote,
} from './blocked-keys-text.js';
import { RetryHeader, WaitingHeader, readHeaderText, isRedelivery } from './headers.js';
import type { ConsumedRecord, HeaderValue, OutgoingRecord } from './record.js';
import { isLegalTopicName } from './topic-names.js';

/**
 * The follower as it goes to the waiting topic (partition `partition` of `waitingTopic`): its
 * key, value and headers, plus its own original position (a first attempt: where it was
 * consumed; a redelivery already carries it, unchanged) and the waiting-* headers.
 */
export function toWaitingRecord(
  record: ConsumedRecord,
  group: string,
  blockerOffset: string,
  waitingTopic: string,
  partition: number,
): OutgoingRecord {
  const headers: Record<string, HeaderValue | HeaderValue[]> = definedHeaders(record);
  if (!isRedelivery(record.headers)) {
    headers[RetryHeader.originalTopic] = record.topic;
    headers[RetryHeader.originalPartition] = String(record.partition);
    headers[RetryHeader.originalOffset] = record.offset;
    headers[RetryHeader.originalTimestamp] = record.timestamp;
  }
  headers[WaitingHeader.group] = group;
  headers[WaitingHeader.forOffset] = blockerOffset;
  return { topic: waitingTopic, partition, key: record.key, value: record.value, headers };
}

/**
 * The follower read back from the waiting topic, at its own original position (topic,
 * partition, offset and timestamp from its original-* headers), its headers as they were before
 * it waited: less the waiting-* headers, and, for a first attempt (no `retry-group`), less the
 * original-* headers added for waiting. Throws a BlockedKeysRecordError naming the header when
 * the original position does not read.
 */
export function fromWaitingRecord(record: ConsumedRecord): ConsumedRecord {
  const subject = `waiting record at ${record.topic}/${record.partition}@${record.offset}`;
  const read = (header: string, valid: (text: string) => boolean): string => {
    const text = readHeaderText(record.headers, header);
    if (text === undefined || !valid(text)) {
      throw new BlockedKeysRecordError(
        subject,
        `header ${header} is ${text === undefined ? 'missing, repeated or not UTF-8' : quote(text)}`,
      );
    }
    return text;
  };
  const topic = read(RetryHeader.originalTopic, isLegalTopicName);
  const partition = read(RetryHeader.originalPartition, isPartitionText);
  const offset = read(RetryHeader.originalOffset, isOffset);
  const timestamp = read(
    RetryHeader.originalTimestamp,
    (text) => offsetPattern.test(text) && Number(text) <= maxEpochMilliseconds,
  );
  const firstAttempt = !isRedelivery(record.headers);
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const [name, value] of Object.entries(definedHeaders(record))) {
    if (isWaitingOnlyHeader(name, firstAttempt)) {
      continue;
    }
    setHeader(headers, name, value);
  }
  return {
    topic,
    partition: Number(partition),
    offset,
    timestamp,
    key: record.key,
    value: record.value,
    headers,
  };
}

const waitingHeaderNames: ReadonlySet<string> = new Set(Object.values(WaitingHeader));
const originalPositionHeaderNames: ReadonlySet<string> = new Set([
  RetryHeader.originalTopic,
  RetryHeader.originalPartition,
  RetryHeader.originalOffset,
  RetryHeader.originalTimestamp,
]);

function isWaitingOnlyHeader(name: string, firstAttempt: boolean): boolean {
  return waitingHeaderNames.has(name) || (firstAttempt && originalPositionHeaderNames.has(name));
}

function definedHeaders(record: ConsumedRecord): Record<string, HeaderValue | HeaderValue[]> {
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const name of Object.keys(record.headers)) {
    const value = record.headers[name];
    if (value !== undefined) {
      setHeader(headers, name, value);
    }
  }
  return headers;
}

/** A header named `__proto__` (attacker controlled) is defined, not assigned: it stays a header. */
function setHeader(
  headers: Record<string, HeaderValue | HeaderValue[]>,
  name: string,
  value: HeaderValue | HeaderValue[],
): void {
  Object.defineProperty(headers, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
