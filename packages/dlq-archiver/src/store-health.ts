import { describeError } from '@ricochet/core';
import type { Readiness } from '@ricochet/kafka';

/** What the archiver knows about its store's last write. */
export interface StoreWriteState {
  /** When the insert now in progress began (epoch ms); undefined when none is. */
  readonly insertingSince: number | undefined;
  /** Why the last insert failed; undefined once one succeeded. */
  readonly failure: unknown;
}

/**
 * Whether the store keeps the archiver from being ready. An archiver that cannot write commits
 * nothing, so it is not ready: from its first failed insert until one succeeds, and while an
 * insert has waited longer than `stallMilliseconds` (a lock another process holds, a statement
 * the database has not answered) before it fails.
 */
export function storeReadiness(
  state: StoreWriteState,
  now: number,
  stallMilliseconds: number,
): Readiness {
  if (state.failure !== undefined) {
    const { className, message } = describeError(state.failure);
    return {
      ready: false,
      reason: `the archive store is failing, nothing is committed until it is back: ${className}: ${message}`,
    };
  }
  if (state.insertingSince !== undefined && now - state.insertingSince > stallMilliseconds) {
    return {
      ready: false,
      reason: `the archive store has not finished an insert for ${now - state.insertingSince} ms (locked or stalled); nothing is committed until it does`,
    };
  }
  return { ready: true };
}
