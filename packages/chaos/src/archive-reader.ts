import type { ArchiveStore } from '@ricochet/archive';

/** What the verdict needs of one archived dead letter. */
export interface ArchiveEntry {
  /** The record key, which the traffic sets to the record id; null for a record without one. */
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
      recordId: record.key === null ? null : record.key.toString('utf8'),
      reason: record.deadLetterReason,
      tryCount: record.tryCount,
      dlqPartition: record.dlqPartition,
      dlqOffset: record.dlqOffset,
    });
  }
  return entries;
}
