/** What the `key-strict` book answers: a record's decision, a drain's step, a handling's end. */
import type { BlockedKeyEntry, ReleasedBlocker } from '@ricochet/core';
import type { RecordOutcome } from './record-outcome.js';

/**
 * What `key-strict` does with a record of a key, given what the partition's book holds for the
 * key (rule 2 of docs/ordered-retries.md).
 */
export type KeyStrictDecision =
  /**
   * A copy of a blocker an operator released, or one dead-lettered already: dead-letter it
   * unhandled, with the marker's reason (`released-by-operator` for an operator's release).
   */
  | { readonly kind: 'released-blocker'; readonly marker: ReleasedBlocker }
  /** The key holds nothing back: handle it as `key` does; if it goes to a tier, it blocks. */
  | { readonly kind: 'handle' }
  /** The key's blocker came back from its tier: handle it, then move the entry on. */
  | { readonly kind: 'blocker-back'; readonly entry: BlockedKeyEntry }
  /** Appended before (the record is read again after a crash): it is handed on already. */
  | { readonly kind: 'already-waiting'; readonly blockerOffset: string }
  /**
   * A redelivery that is not the key's blocker and not after its last follower: a second copy of
   * an earlier blocker that a crash left in the tiers (or a retry from before `key-strict`).
   * Handled as `key` handles it, the entry untouched: at worst it is handled twice (its crash
   * guard's dead letter leaves a marker all the same: `KeyStrictBook.deadLettered`).
   */
  | { readonly kind: 'stale' }
  /** The key holds `maxWaitingPerKey` records back: dead-letter it (`waiting-cap-exceeded`). */
  | { readonly kind: 'over-cap'; readonly entry: BlockedKeyEntry }
  /** Append it to the waiting topic behind `blockerOffset`, then count it in the entry. */
  | { readonly kind: 'follow'; readonly entry: BlockedKeyEntry; readonly blockerOffset: string };

/** What a drain does before it calls the handler for a follower. */
export type FollowerStep =
  /** Write this entry (it marks the call) acknowledged, then call the handler. */
  | { readonly kind: 'mark'; readonly entry: BlockedKeyEntry }
  /** The follower crashed the process this many times: dead-letter it without calling it. */
  | { readonly kind: 'dead-letter'; readonly crashes: number };

/** How a record's handling ended, as far as its key's entry cares. */
export type HandlingEnd = 'succeeded' | 'sent-to-tier' | 'dead-lettered';

/** The end of a handling, once its hand-off (if any) is acknowledged: diverted ones count dead. */
export function endOf(outcome: RecordOutcome): HandlingEnd | undefined {
  switch (outcome.kind) {
    case 'succeeded':
    case 'sent-to-tier':
    case 'dead-lettered':
      return outcome.kind;
    default:
      return undefined;
  }
}
