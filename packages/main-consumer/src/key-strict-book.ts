import {
  releasedMarkerMarginMilliseconds,
  type BlockedKeyEntry,
  type DeadLetterReason,
  type ReleasedBlocker,
  type TierLadder,
} from '@ricochet/core';
import type { OnDeadLetter } from './defaults.js';
import { isBefore } from './offsets.js';

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

/** Which of the waiting records of a key a drain handles next, and which it passes over. */
export type DrainPick = 'take' | 'skip';

/** The `key-strict` gauges of a set of partitions (MainConsumerEvent `key-strict`). */
export interface KeyStrictGauges {
  /** Keys with an entry: blocked behind a record in the tiers, or draining their followers. */
  readonly blockedKeys: number;
  /** Records appended to the waiting topic and not yet handled. */
  readonly waitingRecords: number;
  /** Epoch ms since which the longest-held key has held records back; undefined when none. */
  readonly oldestBlockedSince: number | undefined;
}

function atOrBefore(offset: string, limit: string): boolean {
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
function heldSince(entry: BlockedKeyEntry): number {
  return entry.blocker?.since ?? entry.waitingSince ?? entry.updatedAt;
}

/**
 * Moves `entry` on. Whether followers are left is told by offsets (handled through the last
 * appended), not by the count: a waiting record of an earlier chain that a drain took (a
 * duplicate a crash left) must not end the chain before its own last follower.
 */
function settled(entry: BlockedKeyEntry): BlockedKeyEntry {
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

/**
 * The `key-strict` state of one source partition (T,p) its owner keeps in memory, mirroring the
 * blocked-keys topic: the entry of each key holding records back (or whose chain is over and not
 * yet committed through) and the released-blocker markers. Pure: it decides (rule 2), computes
 * the entry each step writes (the caller writes it, acknowledged, then `put`s it), says which
 * entries may be tombstoned, and counts the gauges. Keys are identified by `keyId`.
 */
export class KeyStrictBook {
  readonly topic: string;
  readonly partition: number;
  readonly #maxWaitingPerKey: number;
  readonly #onDeadLetter: OnDeadLetter;
  readonly #maxHandlerCrashes: number;
  /** How long a dead-lettered blocker's marker is kept: see `sweepableMarkers`. */
  readonly #markerLifetimeMilliseconds: number;
  readonly #entries = new Map<string, BlockedKeyEntry>();
  /** Released-blocker markers by the blocker's original offset. */
  readonly #released = new Map<string, ReleasedBlocker>();
  /** The gauges, kept as each entry changes rather than summed over every entry each time. */
  #blockedKeys = 0;
  #waitingRecords = 0;
  /** The oldest `heldSince` of the entries held; undefined when it must be looked for again. */
  #oldestBlockedSince: number | undefined;
  #oldestKnown = true;

  constructor(
    topic: string,
    partition: number,
    options: {
      readonly maxWaitingPerKey: number;
      readonly onDeadLetter: OnDeadLetter;
      readonly maxHandlerCrashes: number;
      readonly ladder: TierLadder;
    },
  ) {
    this.topic = topic;
    this.partition = partition;
    this.#maxWaitingPerKey = options.maxWaitingPerKey;
    this.#onDeadLetter = options.onDeadLetter;
    this.#maxHandlerCrashes = options.maxHandlerCrashes;
    this.#markerLifetimeMilliseconds =
      Math.max(0, ...options.ladder.map((tier) => tier.delayMilliseconds)) +
      releasedMarkerMarginMilliseconds;
  }

  entry(keyId: string): BlockedKeyEntry | undefined {
    return this.#entries.get(keyId);
  }

  /** The keys whose entry has followers to drain and no blocker. */
  drainable(): string[] {
    return [...this.#entries].filter(([, entry]) => needsDrain(entry)).map(([keyId]) => keyId);
  }

  /** The entry of `keyId` is now `entry` (written acknowledged), or gone (a tombstone). */
  put(keyId: string, entry: BlockedKeyEntry | null): void {
    const before = this.#entries.get(keyId);
    if (before !== undefined && !chainOver(before)) {
      this.#blockedKeys -= 1;
      this.#waitingRecords -= before.followers;
      if (heldSince(before) === this.#oldestBlockedSince) {
        this.#oldestKnown = false;
      }
    }
    if (entry === null) {
      this.#entries.delete(keyId);
    } else {
      this.#entries.set(keyId, entry);
      if (!chainOver(entry)) {
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
  }

  /** A released-blocker marker is written (or loaded). */
  putReleased(marker: ReleasedBlocker): void {
    this.#released.set(marker.offset, marker);
  }

  /** The released-blocker marker of the blocker at `originalOffset`, if any. */
  releasedMarker(originalOffset: string): ReleasedBlocker | undefined {
    return this.#released.get(originalOffset);
  }

  /** The marker of the blocker at `originalOffset` is tombstoned. */
  dropReleased(originalOffset: string): void {
    this.#released.delete(originalOffset);
  }

  /**
   * Rule 2: what to do with the record of `keyId` at `originalOffset`; `redelivery` when it came
   * back from a tier.
   */
  decide(keyId: string, originalOffset: string, redelivery: boolean): KeyStrictDecision {
    if (this.#released.size > 0) {
      const marker = this.#released.get(originalOffset);
      if (marker !== undefined) {
        return { kind: 'released-blocker', marker };
      }
    }
    const entry = this.#entries.get(keyId);
    if (entry === undefined) {
      // A redelivery blocks nothing: its key would have an entry, were it a blocker.
      return redelivery ? { kind: 'stale' } : { kind: 'handle' };
    }
    if (entry.blocker?.offset === originalOffset) {
      return { kind: 'blocker-back', entry };
    }
    const last = entry.lastFollowerOffset;
    if (last !== null && atOrBefore(originalOffset, last)) {
      return redelivery
        ? { kind: 'stale' }
        : { kind: 'already-waiting', blockerOffset: waitedOffset(entry) };
    }
    if (chainOver(entry)) {
      return redelivery ? { kind: 'stale' } : { kind: 'handle' };
    }
    if (entry.followers >= this.#maxWaitingPerKey) {
      return { kind: 'over-cap', entry };
    }
    return { kind: 'follow', entry, blockerOffset: waitedOffset(entry) };
  }

  /**
   * A record of a key with no entry went to a tier: the entry that blocks the key behind it.
   * The chain starts at the blocker (`lastFollowerOffset` and `handledThroughOffset` both), so
   * that a drain of it never takes a record of the waiting topic from before it, and a record
   * from before it is never appended behind it.
   */
  blocked(key: string | null, originalOffset: string, now: number): BlockedKeyEntry {
    return {
      version: 1,
      kind: 'entry',
      topic: this.topic,
      partition: this.partition,
      key,
      blocker: { offset: originalOffset, since: now },
      waitingSince: null,
      followers: 0,
      lastFollowerOffset: originalOffset,
      handledThroughOffset: originalOffset,
      deadLetterFollowers: false,
      updatedAt: now,
    };
  }

  /**
   * The blocker came back and its handling ended `end`: the entry to write (its followers drain,
   * or its chain is over), or undefined when nothing changes (it went to its next tier).
   */
  blockerEnded(entry: BlockedKeyEntry, end: HandlingEnd, now: number): BlockedKeyEntry | undefined {
    if (end === 'sent-to-tier') {
      return undefined;
    }
    return settled({
      ...entry,
      blocker: null,
      deadLetterFollowers: end === 'dead-lettered' && this.#onDeadLetter === 'dead-letter',
      updatedAt: now,
    });
  }

  /**
   * The record of `key` at `originalOffset` was dead-lettered (`reason`), its dead letter
   * acknowledged: the marker to write (acknowledged) before anything else of its key moves on,
   * which has any other copy of it dead-lettered when it comes back; undefined when none is due.
   * A crash can leave a copy of a record in a tier while the record is handled again (its tier
   * copy published, its owner killed before the entry that records it): handled, that copy would
   * succeed after the records of its key that went on meanwhile (k0230).
   *
   * A dead-lettered `blocker` leaves one whatever the reason: another copy may be in a tier, and
   * the copy dead-lettered may be the older one. Any other record (a drained follower, a record
   * of a key holding nothing back, a stale copy) has a copy in a tier only if an earlier handling
   * sent it there and its owner died before the entry: handled again, it goes to a tier again
   * (and blocks, as above), or succeeds (the copy is a duplicate), or crashes the process until
   * the crash guard dead-letters it (`handler-crashed`), which leaves one. Its other dead
   * letters, the common ones, leave none: a marker is kept a day, and a handler that asked for a
   * retry and then fails non-retryably is left to docs/ordered-retries.md's limits.
   */
  deadLettered(
    key: string | null,
    originalOffset: string,
    reason: DeadLetterReason,
    blocker: boolean,
    now: number,
  ): ReleasedBlocker | undefined {
    return blocker || reason === 'handler-crashed'
      ? this.#marker(key, originalOffset, reason, now)
      : undefined;
  }

  /**
   * A copy of the blocker `marker` names came back and is dead-lettered: the entry of `keyId` to
   * write when it still names that blocker (the owner died between the marker and the entry),
   * as the marker's release or dead letter would have left it; undefined when it moved on.
   */
  copyReleased(keyId: string, marker: ReleasedBlocker, now: number): BlockedKeyEntry | undefined {
    const entry = this.#entries.get(keyId);
    if (entry?.blocker?.offset !== marker.offset) {
      return undefined;
    }
    return releasedForOneCopy(marker)
      ? this.#unblocked(entry, now)
      : this.blockerEnded(entry, 'dead-lettered', now);
  }

  /**
   * Whether a drain must call the follower at `originalOffset` carefully (alone in the process):
   * the entry marks a call of it that never came back (the process died in it), unless
   * `markedHere` (this process wrote the mark and is alive).
   */
  followerSuspect(entry: BlockedKeyEntry, originalOffset: string, markedHere: boolean): boolean {
    return entry.attempt?.offset === originalOffset && !markedHere;
  }

  /**
   * Before a drain calls the handler for the follower at `originalOffset`: the drain's crash
   * guard, as the batches' one. A mark of a call of it that never came back counts a crash when
   * that call was made alone (`careful`); one made among others only made it a suspect. A
   * follower that crashed the process `maxHandlerCrashes` times is dead-lettered uncalled;
   * otherwise the entry marks the call (made `alone` or not) before it is made.
   */
  followerStep(
    entry: BlockedKeyEntry,
    originalOffset: string,
    markedHere: boolean,
    alone: boolean,
  ): FollowerStep {
    const found = entry.attempt?.offset === originalOffset ? entry.attempt : undefined;
    const crashes =
      found === undefined ? 0 : found.crashes + (found.careful === true && !markedHere ? 1 : 0);
    if (crashes >= this.#maxHandlerCrashes) {
      return { kind: 'dead-letter', crashes };
    }
    return {
      kind: 'mark',
      entry: {
        ...entry,
        attempt: { offset: originalOffset, crashes, ...(alone ? { careful: true } : {}) },
      },
    };
  }

  /**
   * A follower at `originalOffset` was appended to the waiting topic (acknowledged), at or after
   * `waitingOffset` of it: the first follower of a chain sets where its drain reads from.
   */
  followed(
    entry: BlockedKeyEntry,
    originalOffset: string,
    now: number,
    waitingOffset?: string,
  ): BlockedKeyEntry {
    const from = entry.waitingSince === null ? waitingOffset : entry.waitingFromOffset;
    const { waitingFromOffset: _before, ...rest } = entry;
    return {
      ...rest,
      followers: entry.followers + 1,
      lastFollowerOffset: originalOffset,
      waitingSince: entry.waitingSince ?? now,
      updatedAt: now,
      ...(from === undefined ? {} : { waitingFromOffset: from }),
    };
  }

  /**
   * A drain handled the follower at `originalOffset` (its hand-off, if any, acknowledged): the
   * entry moves past it; a follower sent to a tier becomes the key's blocker. `nextWaitingOffset`
   * (the waiting-topic offset after the follower's) is where the chain's next drain reads from.
   */
  drained(
    entry: BlockedKeyEntry,
    originalOffset: string,
    end: HandlingEnd,
    now: number,
    nextWaitingOffset?: string,
  ): BlockedKeyEntry {
    const followers = Math.max(0, entry.followers - 1);
    const { attempt: _done, ...unmarked } = entry;
    const moved: BlockedKeyEntry = {
      ...unmarked,
      followers,
      handledThroughOffset: originalOffset,
      updatedAt: now,
      ...(nextWaitingOffset === undefined ? {} : { waitingFromOffset: nextWaitingOffset }),
    };
    if (end === 'sent-to-tier') {
      return settled({
        ...moved,
        blocker: { offset: originalOffset, since: now },
        deadLetterFollowers: false,
      });
    }
    return settled(moved);
  }

  /**
   * A drain found no more of the followers the entry counts (the waiting topic's retention
   * removed them): the entry gives them up.
   */
  followersMissing(entry: BlockedKeyEntry, now: number): BlockedKeyEntry {
    return settled({
      ...entry,
      followers: 0,
      handledThroughOffset: entry.lastFollowerOffset ?? entry.handledThroughOffset,
      updatedAt: now,
    });
  }

  /**
   * An operator released the key: its blocker, if any, is marked released (dead-lettered when it
   * comes back) and its followers drain. Undefined when there is no blocker to release.
   */
  release(
    keyId: string,
    now: number,
  ): { readonly marker: ReleasedBlocker; readonly entry: BlockedKeyEntry } | undefined {
    const entry = this.#entries.get(keyId);
    if (entry?.blocker == null) {
      return undefined;
    }
    return {
      marker: this.#marker(entry.key, entry.blocker.offset, 'released-by-operator', now),
      entry: this.#unblocked(entry, now),
    };
  }

  /**
   * The offsets of the markers of dead-lettered blockers old enough to go (tombstoned): a copy of
   * the blocker left in a tier comes back within that tier's delay, unless a delay service is
   * down for long, so a marker is kept the ladder's longest delay and a day. An operator's marker
   * goes when its blocker comes back (`releasedForOneCopy`), not with age.
   */
  sweepableMarkers(now: number): string[] {
    return [...this.#released.values()]
      .filter(
        (marker) =>
          !releasedForOneCopy(marker) && now - marker.releasedAt > this.#markerLifetimeMilliseconds,
      )
      .map((marker) => marker.offset);
  }

  /** The entry without its blocker, its followers drained whatever `onDeadLetter` says. */
  #unblocked(entry: BlockedKeyEntry, now: number): BlockedKeyEntry {
    return settled({ ...entry, blocker: null, deadLetterFollowers: false, updatedAt: now });
  }

  #marker(
    key: string | null,
    offset: string,
    reason: DeadLetterReason,
    now: number,
  ): ReleasedBlocker {
    return {
      version: 1,
      kind: 'released',
      topic: this.topic,
      partition: this.partition,
      key,
      offset,
      releasedAt: now,
      reason,
    };
  }

  /**
   * The keys whose chain is over and whose last record is committed (`committedOffset` is the
   * next offset the partition reads): nothing of the chain can be read again, so the entry may be
   * tombstoned.
   */
  sweepable(committedOffset: string): string[] {
    return [...this.#entries]
      .filter(
        ([, entry]) =>
          chainOver(entry) &&
          entry.lastFollowerOffset !== null &&
          isBefore(entry.lastFollowerOffset, committedOffset),
      )
      .map(([keyId]) => keyId);
  }

  /** The partition's share of the `key-strict` gauges. */
  gauges(): KeyStrictGauges {
    if (!this.#oldestKnown) {
      // Only when the oldest entry moved on: most changes are of younger keys.
      let oldest: number | undefined;
      for (const entry of this.#entries.values()) {
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
