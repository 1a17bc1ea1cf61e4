import type { ArchivedRecord } from './types.js';
import { decodeUtf8 } from '@ricochet/core';

function bytesAsJson(bytes: Buffer | null): { utf8?: string; base64: string } | null {
  if (bytes === null) {
    return null;
  }
  const utf8 = decodeUtf8(bytes);
  return { ...(utf8 === undefined ? {} : { utf8 }), base64: bytes.toString('base64') };
}

/** A record for scripts (the CLI's --json, the console's API): every field, bytes as base64 (plus UTF-8 where they are text), times ISO. */
export function recordAsJson(record: ArchivedRecord): Record<string, unknown> {
  const iso = (epochMilliseconds: number | null): string | null =>
    epochMilliseconds === null ? null : new Date(epochMilliseconds).toISOString();
  return {
    id: record.id,
    status: record.status,
    archivedAt: iso(record.archivedAt),
    replayedAt: iso(record.replayedAt),
    replayCount: record.replayCount,
    originalTopic: record.originalTopic,
    originalPartition: record.originalPartition,
    originalOffset: record.originalOffset,
    originalTimestamp: iso(record.originalTimestamp),
    retryGroup: record.retryGroup,
    tryCount: record.tryCount,
    deadLetterReason: record.deadLetterReason,
    errorClass: record.errorClass,
    errorMessage: record.errorMessage,
    errorStack: record.errorStack,
    firstFailureAt: iso(record.firstFailureAt),
    lastFailureAt: iso(record.lastFailureAt),
    dlqTopic: record.dlqTopic,
    dlqPartition: record.dlqPartition,
    dlqOffset: record.dlqOffset,
    key: bytesAsJson(record.key),
    value: bytesAsJson(record.value),
    headers: record.headers.map((header) => ({
      name: header.name,
      value: bytesAsJson(header.value),
    })),
  };
}
