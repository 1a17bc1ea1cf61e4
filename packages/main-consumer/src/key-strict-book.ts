/** The pure `key-strict` state of one source partition: its entries, markers and decisions. */
import {
  releasedMarkerMarginMilliseconds,
  type BlockedKeyEntry,
  type DeadLetterReason,
  type ReleasedBlocker,
  type TierLadder,
} from '@ricochet/core';
import type { OnDeadLetter } from './defaults.js';
import { isBefore } from './offsets.js';
import {
  atOrBefore,
  chainOver,
  needsDrain,
  releasedForOneCopy,
  settled,
  waitedOffset,
} from './key-strict-entry.js';
import type { FollowerStep, HandlingEnd, KeyStrictDecision } from './key-strict-decision.js';
import { GaugeTally, type KeyStrictGauges } from './key-strict-gauges.js';

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
  readonly #gauges = new GaugeTally();

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
    if (entry === null) {
      this.#entries.delete(keyId);
    } else {
      this.#entries.set(keyId, entry);
    }
    this.#gauges.changed(before, entry);
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
   * follower that crashed the process `maxHandlerCrashes` times is dead-lettered uncalled, as is
   * one the crash guard dead-lettered already (its `handler-crashed` marker, kept from an owner
   * whose entry past it, and so its mark, is not believed); otherwise the entry marks the call
   * (made `alone` or not) before it is made.
   */
  followerStep(
    entry: BlockedKeyEntry,
    originalOffset: string,
    markedHere: boolean,
    alone: boolean,
  ): FollowerStep {
    if (this.#released.get(originalOffset)?.reason === 'handler-crashed') {
      return { kind: 'dead-letter', crashes: this.#maxHandlerCrashes };
    }
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
    return this.#gauges.gauges(this.#entries.values());
  }
}
