/** The `key-strict` gauges: kept per partition as its entries change, summed over partitions. */
import type { BlockedKeyEntry } from '@ricochet/core';
import { chainOver, heldSince } from './key-strict-entry.js';

/** The `key-strict` gauges of a set of partitions (MainConsumerEvent `key-strict`). */
export interface KeyStrictGauges {
  /** Keys with an entry: blocked behind a record in the tiers, or draining their followers. */
  readonly blockedKeys: number;
  /** Records appended to the waiting topic and not yet handled. */
  readonly waitingRecords: number;
  /** Epoch ms since which the longest-held key has held records back; undefined when none. */
  readonly oldestBlockedSince: number | undefined;
}

/**
 * One partition's gauges, kept as each entry changes rather than summed over every entry each
 * time.
 */
export class GaugeTally {
  #blockedKeys = 0;
  #waitingRecords = 0;
  /** The oldest `heldSince` of the entries held; undefined when it must be looked for again. */
  #oldestBlockedSince: number | undefined;
  #oldestKnown = true;

  /** A key's entry went from `before` (undefined: none) to `entry` (null: a tombstone). */
  changed(before: BlockedKeyEntry | undefined, entry: BlockedKeyEntry | null): void {
    if (before !== undefined && !chainOver(before)) {
      this.#blockedKeys -= 1;
      this.#waitingRecords -= before.followers;
      if (heldSince(before) === this.#oldestBlockedSince) {
        this.#oldestKnown = false;
      }
    }
    if (entry !== null && !chainOver(entry)) {
      this.#blockedKeys += 1;
      this.#waitingRecords += entry.followers;
      const since = heldSince(entry);
      if (
        this.#oldestKnown &&
        (this.#oldestBlockedSince === undefined || since < this.#oldestBlockedSince)
      ) {
        this.#oldestBlockedSince = since;
      }
    }
  }

  /** The gauges, given every entry the partition holds. */
  gauges(entries: Iterable<BlockedKeyEntry>): KeyStrictGauges {
    if (!this.#oldestKnown) {
      // Only when the oldest entry moved on: most changes are of younger keys.
      let oldest: number | undefined;
      for (const entry of entries) {
        if (!chainOver(entry) && (oldest === undefined || heldSince(entry) < oldest)) {
          oldest = heldSince(entry);
        }
      }
      this.#oldestBlockedSince = oldest;
      this.#oldestKnown = true;
    }
    return {
      blockedKeys: this.#blockedKeys,
      waitingRecords: this.#waitingRecords,
      oldestBlockedSince: this.#oldestBlockedSince,
    };
  }
}

/** The gauges of several partitions together. */
export function sumGauges(gauges: Iterable<KeyStrictGauges>): KeyStrictGauges {
  let blockedKeys = 0;
  let waitingRecords = 0;
  let oldestBlockedSince: number | undefined;
  for (const part of gauges) {
    blockedKeys += part.blockedKeys;
    waitingRecords += part.waitingRecords;
    const since = part.oldestBlockedSince;
    if (since !== undefined && (oldestBlockedSince === undefined || since < oldestBlockedSince)) {
      oldestBlockedSince = since;
    }
  }
  return { blockedKeys, waitingRecords, oldestBlockedSince };
}
