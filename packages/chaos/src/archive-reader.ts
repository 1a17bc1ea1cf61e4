import type { ArchiveStore } from '@ricochet/archive';
import { decodePlan } from './record-plan.js';

/** What the verdict needs of one archived dead letter. */
export interface ArchiveEntry {
  /** The record id, from the plan in the archived value; null for a value that is no plan. */
  readonly recordId: string | null;
  readonly reason: string | null;
  readonly tryCount: number | null;
  readonly dlqPartition: number;
  readonly dlqOffset: string;
}

/** Every record in the archive, through the archive's own store API. */
export async function readArchive(store: ArchiveStore): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  for await (const record of store.iterate({}, 1_000)) {
    entries.push({
      recordId: decodePlan(record.value)?.id ?? null,
      reason: record.deadLetterReason,
      tryCount: record.tryCount,
      dlqPartition: record.dlqPartition,
      dlqOffset: record.dlqOffset,
    });
  }
  return entries;
}
