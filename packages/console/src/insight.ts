import type { ArchivedRecord } from '@ricochet/archive';
import {
  decodeUtf8,
  isConnectDeadLetterHeader,
  RetryHeader,
  SpringDeadLetterHeader,
} from '@ricochet/core';

/**
 * An error message with what varies between occurrences of one failure (ids, numbers, quoted
 * values, addresses) replaced by placeholders, so that "order 17 timed out after 5003 ms" and
 * "order 42 timed out after 5001 ms" count as one message.
 */
export function normaliseErrorMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, '<email>')
    .replace(/"[^"]*"|'[^']*'/g, '<text>')
    .replace(/\b0x[0-9a-f]+\b|\b[0-9a-f]{16,}\b/gi, '<hex>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export interface MessageGroup {
  readonly message: string;
  readonly count: number;
  /** The newest record of the group, to open. */
  readonly exampleId: number;
}

/** Records grouped by normalised error message, largest group first (then by message). */
export function topErrorMessages(
  records: readonly Pick<ArchivedRecord, 'id' | 'errorMessage'>[],
  limit: number,
): MessageGroup[] {
  const groups = new Map<string, { count: number; exampleId: number }>();
  for (const record of records) {
    const message = normaliseErrorMessage(record.errorMessage ?? '(no message)');
    const group = groups.get(message);
    if (group === undefined) {
      groups.set(message, { count: 1, exampleId: record.id });
    } else {
      group.count += 1;
      group.exampleId = Math.max(group.exampleId, record.id);
    }
  }
  return [...groups]
    .map(([message, group]) => ({ message, ...group }))
    .sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : 1))
    .slice(0, limit);
}

export interface RetryHistory {
  readonly tries: number | null;
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  /** From the original record's time to the first failure. */
  readonly beforeFirstFailureMs: number | null;
  /** From the first to the last failure: the time spent going through the retry tiers. */
  readonly inTiersMs: number | null;
  /** When the last tier was to hand it back (Ricochet's due-at header). */
  readonly lastTierDueAt: number | null;
  /** From that due time to the last failure: the delay's lateness plus the handler's last try. */
  readonly lastTryMs: number | null;
  /** From the last failure to the archive. */
  readonly toArchiveMs: number | null;
}

function lastHeaderNumber(record: ArchivedRecord, name: string): number | null {
  const header = record.headers.findLast((candidate) => candidate.name === name);
  const text = header === undefined ? undefined : decodeUtf8(header.value);
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : null;
}

const between = (from: number | null, to: number | null): number | null =>
  from === null || to === null || to < from ? null : to - from;

/**
 * What the headers tell of a record's way to the dead-letter topic. They carry the first and the
 * last failure, the tries and the last tier's due time, not each hop: the time in each earlier
 * tier is not known, only their sum.
 */
export function retryHistory(record: ArchivedRecord): RetryHistory {
  const dueAt = lastHeaderNumber(record, RetryHeader.dueAt);
  return {
    tries: record.tryCount,
    firstFailureAt: record.firstFailureAt,
    lastFailureAt: record.lastFailureAt,
    beforeFirstFailureMs: between(record.originalTimestamp, record.firstFailureAt),
    inTiersMs: between(record.firstFailureAt, record.lastFailureAt),
    lastTierDueAt: dueAt,
    lastTryMs: between(dueAt, record.lastFailureAt),
    toArchiveMs: between(record.lastFailureAt, record.archivedAt),
  };
}

/** Which contract a dead letter came with, from its headers. */
export function deadLetterFormat(
  record: ArchivedRecord,
): 'ricochet' | 'spring' | 'connect' | 'unknown' {
  const names = new Set(record.headers.map((header) => header.name));
  if (names.has(RetryHeader.retryGroup) || names.has(RetryHeader.deadLetterReason)) {
    return 'ricochet';
  }
  if (names.has(SpringDeadLetterHeader.originalTopic)) {
    return 'spring';
  }
  return [...names].some(isConnectDeadLetterHeader) ? 'connect' : 'unknown';
}
