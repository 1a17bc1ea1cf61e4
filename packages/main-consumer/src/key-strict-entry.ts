/** Pure readings of one key's blocked-keys entry: what waits behind it, and how it moves on. */
import type { BlockedKeyEntry, ReleasedBlocker } from '@ricochet/core';
import { isBefore } from './offsets.js';

/** Which of the waiting records of a key a drain handles next, and which it passes over. */
export type DrainPick = 'take' | 'skip';

export function atOrBefore(offset: string, limit: string): boolean {
  return offset === limit || isBefore(offset, limit);
}

/** The offset a follower of `entry` waits behind: the blocker, else the follower before it. */
export function waitedOffset(entry: BlockedKeyEntry): string {
  return entry.blocker?.offset ?? entry.lastFollowerOffset ?? entry.handledThroughOffset ?? '0';
}

/** Whether the entry's followers may be drained now: nothing blocks them and some wait. */
export function needsDrain(entry: BlockedKeyEntry): boolean {
  return entry.blocker === null && !drainedThroughLast(entry);
}

/**
 * Whether a drain handles the waiting record at `originalOffset` now: it is counted in the entry
 * (at or before `lastFollowerOffset`) and later than every follower handled. Taking followers in
 * waiting-topic order under this monotonic rule skips the duplicates a crash between an append
 * and its entry write leaves, and a record of an earlier chain.
 */
export function drainPick(entry: BlockedKeyEntry, originalOffset: string): DrainPick {
  const last = entry.lastFollowerOffset;
  if (last === null || !atOrBefore(originalOffset, last)) {
    return 'skip';
  }
  const through = entry.handledThroughOffset;
  return through === null || isBefore(through, originalOffset) ? 'take' : 'skip';
}

/** Whether every follower counted in the entry was handled by a drain. */
export function drainedThroughLast(entry: BlockedKeyEntry): boolean {
  const last = entry.lastFollowerOffset;
  const through = entry.handledThroughOffset;
  return last === null || (through !== null && atOrBefore(last, through));
}

/**
 * Whether the key's chain is over: no blocker, every follower handled. Its entry is kept (and
 * `decide` skips the chain's records read again after a crash, which a tombstone would let be
 * handled anew, after later records of the key) until the partition's commit passes its last
 * follower: `sweepable`.
 */
export function chainOver(entry: BlockedKeyEntry): boolean {
  return entry.blocker === null && drainedThroughLast(entry);
}

/**
 * Whether the marker waits for one copy of its blocker (an operator released it while it was in
 * a tier), and goes once that copy is back; otherwise (a blocker dead-lettered, of which more
 * copies may be in the tiers, or none) it stays until `KeyStrictBook.sweepableMarkers`.
 */
export function releasedForOneCopy(marker: ReleasedBlocker): boolean {
  return marker.reason === undefined || marker.reason === 'released-by-operator';
}

/** Since when the key of `entry` holds records back (for the gauges). */
export function heldSince(entry: BlockedKeyEntry): number {
  return entry.blocker?.since ?? entry.waitingSince ?? entry.updatedAt;
}

/**
 * Moves `entry` on. Whether followers are left is told by offsets (handled through the last
 * appended), not by the count: a waiting record of an earlier chain that a drain took (a
 * duplicate a crash left) must not end the chain before its own last follower.
 */
export function settled(entry: BlockedKeyEntry): BlockedKeyEntry {
  if (drainedThroughLast(entry)) {
    const { waitingFromOffset: _none, ...rest } = entry;
    return {
      ...rest,
      followers: 0,
      waitingSince: null,
      deadLetterFollowers: entry.blocker === null ? false : entry.deadLetterFollowers,
    };
  }
  return entry.followers === 0 ? { ...entry, followers: 1 } : entry;
}
