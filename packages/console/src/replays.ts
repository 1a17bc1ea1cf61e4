import type { ArchivedRecord, ArchiveStore } from '@ricochet/archive';
import { replayedFromHeader } from '@ricochet/core';
import { replaysShown } from './defaults.js';

/** A record's replays, and what became of them. */
export interface RecordReplays {
  /** How many times the archive replayed it. */
  readonly count: number;
  /** Its replays that failed again and were archived anew (replayed-from naming it), oldest first. */
  readonly cameBack: readonly ArchivedRecord[];
  /** More came back than are listed. */
  readonly more: boolean;
}

/**
 * A record's replays. Those not archived again were handled by their consumers, or are still on
 * their way through the retry tiers: the archive cannot tell which. Only a record replayed at
 * least once is looked for, since the search scans the records archived after it.
 */
export async function replaysOf(
  store: ArchiveStore,
  record: ArchivedRecord,
): Promise<RecordReplays> {
  const cameBack =
    record.replayCount === 0 ? [] : await store.listReplaysOf(record.id, replaysShown + 1);
  return {
    count: record.replayCount,
    cameBack: cameBack.slice(0, replaysShown),
    more: cameBack.length > replaysShown,
  };
}

/**
 * The archive id a record is a replay of, from its replayed-from header; undefined when it is
 * not a replay or the header is not an id (headers are the sender's to write).
 */
export function replayedFrom(record: ArchivedRecord): number | undefined {
  const header = record.headers.find((candidate) => candidate.name === replayedFromHeader);
  const text = header?.value.toString('latin1') ?? '';
  return /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : undefined;
}
