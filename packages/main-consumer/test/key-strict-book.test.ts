import { expect } from 'chai';
import fc from 'fast-check';
import {
  decodeBlockedKeysRecord,
  encodeBlockedKeysRecord,
  entryRecordKey,
  parseTierLadder,
  type BlockedKeyEntry,
  type DeadLetterReason,
} from '@ricochet/core';
import type { OnDeadLetter } from '../src/defaults.js';
import { KeyStrictBook } from '../src/key-strict-book.js';
import type { HandlingEnd } from '../src/key-strict-decision.js';
import {
  chainOver,
  drainedThroughLast,
  drainPick,
  needsDrain,
  releasedForOneCopy,
  waitedOffset,
} from '../src/key-strict-entry.js';
import { sumGauges } from '../src/key-strict-gauges.js';

const keyK = 'kSw';
const maxHandlerCrashes = 2;

function bookWith(
  options: { maxWaitingPerKey?: number; onDeadLetter?: OnDeadLetter } = {},
): KeyStrictBook {
  return new KeyStrictBook('orders', 3, {
    maxWaitingPerKey: options.maxWaitingPerKey ?? 1000,
    onDeadLetter: options.onDeadLetter ?? 'release',
    maxHandlerCrashes,
    ladder: parseTierLadder('5s,1m,10m'),
  });
}

/** How long a dead-lettered blocker's marker is kept with the ladder of `bookWith`: 10m + a day. */
const markerLifetime = 600_000 + 86_400_000;

/** K blocked by offset 10, with followers 11 and 12 appended. */
function blockedWithFollowers(book: KeyStrictBook): BlockedKeyEntry {
  let entry = book.blocked('Sw==', '10', 1_000);
  entry = book.followed(entry, '11', 2_000);
  entry = book.followed(entry, '12', 3_000);
  book.put(keyK, entry);
  return entry;
}

describe('KeyStrictBook', () => {
  describe("followerStep (a drained follower's crash guard)", () => {
    function draining(book: KeyStrictBook): BlockedKeyEntry {
      return book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
    }

    it('marks the call of a follower with no mark: no crash before it, no suspect', () => {
      const book = bookWith();
      const entry = draining(book);
      expect(book.followerSuspect(entry, '11', false)).to.equal(false);
      expect(book.followerStep(entry, '11', false, false)).to.deep.equal({
        kind: 'mark',
        entry: { ...entry, attempt: { offset: '11', crashes: 0 } },
      });
    });

    it("calls a suspect again alone: another owner's mark of a call made among others counts no crash", () => {
      const book = bookWith();
      const entry = draining(book);
      const suspect = { ...entry, attempt: { offset: '11', crashes: 0 } };
      expect(book.followerSuspect(suspect, '11', false)).to.equal(true);
      expect(book.followerStep(suspect, '11', false, true)).to.deep.equal({
        kind: 'mark',
        entry: { ...entry, attempt: { offset: '11', crashes: 0, careful: true } },
      });
    });

    it('counts a crash during a careful call, and dead-letters the follower at maxHandlerCrashes', () => {
      const book = bookWith();
      const entry = draining(book);
      const once = { ...entry, attempt: { offset: '11', crashes: 0, careful: true } };
      expect(book.followerStep(once, '11', false, true)).to.deep.equal({
        kind: 'mark',
        entry: { ...entry, attempt: { offset: '11', crashes: 1, careful: true } },
      });
      const twice = { ...entry, attempt: { offset: '11', crashes: 1, careful: true } };
      expect(book.followerStep(twice, '11', false, true)).to.deep.equal({
        kind: 'dead-letter',
        crashes: 2,
      });
    });

    it("does not count this process's own mark, nor a mark of another follower", () => {
      const book = bookWith();
      const entry = { ...draining(book), attempt: { offset: '11', crashes: 1, careful: true } };
      expect(book.followerSuspect(entry, '11', true)).to.equal(false);
      expect(book.followerStep(entry, '11', true, false)).to.deep.equal({
        kind: 'mark',
        entry: { ...entry, attempt: { offset: '11', crashes: 1 } },
      });
      expect(book.followerSuspect(entry, '12', false)).to.equal(false);
      expect(book.followerStep(entry, '12', false, false)).to.deep.equal({
        kind: 'mark',
        entry: { ...entry, attempt: { offset: '12', crashes: 0 } },
      });
    });

    it('dead-letters uncalled a follower the crash guard dead-lettered already (its marker), whatever its mark', () => {
      // An owner whose writes are not believed dead-lettered 11 and moved the entry past it: the
      // entry believed is before 11, without its mark; the marker says how its count ended.
      const book = bookWith();
      const entry = draining(book);
      const marker = book.deadLettered('Sw==', '11', 'handler-crashed', false, 5_000)!;
      book.putReleased(marker);
      expect(book.followerStep(entry, '11', false, false)).to.deep.equal({
        kind: 'dead-letter',
        crashes: maxHandlerCrashes,
      });
      expect(book.followerStep(entry, '12', false, false).kind).to.equal('mark');
    });

    it('clears the mark once the follower is handled', () => {
      const book = bookWith();
      const entry = { ...draining(book), attempt: { offset: '11', crashes: 1 } };
      expect(book.drained(entry, '11', 'succeeded', 5_000)).to.not.have.property('attempt');
      expect(book.drained(entry, '11', 'sent-to-tier', 5_000)).to.not.have.property('attempt');
    });
  });

  describe('decide (rule 2)', () => {
    it('handles a record of a key with no entry', () => {
      expect(bookWith().decide(keyK, '5', false)).to.deep.equal({ kind: 'handle' });
    });

    it('takes the record at the blocker offset as the blocker back', () => {
      const book = bookWith();
      const entry = book.blocked('Sw==', '10', 1_000);
      book.put(keyK, entry);
      expect(book.decide(keyK, '10', false)).to.deep.equal({ kind: 'blocker-back', entry });
    });

    it('appends a later record behind the blocker', () => {
      const book = bookWith();
      const entry = book.blocked('Sw==', '10', 1_000);
      book.put(keyK, entry);
      expect(book.decide(keyK, '11', false)).to.deep.equal({
        kind: 'follow',
        entry,
        blockerOffset: '10',
      });
    });

    it('skips a record at or before the last follower as already waiting (read again after a crash)', () => {
      const book = bookWith();
      blockedWithFollowers(book);
      expect(book.decide(keyK, '11', false)).to.deep.equal({
        kind: 'already-waiting',
        blockerOffset: '10',
      });
      expect(book.decide(keyK, '12', false).kind).to.equal('already-waiting');
      expect(book.decide(keyK, '13', false).kind).to.equal('follow');
    });

    it('compares offsets as numbers, not text', () => {
      const book = bookWith();
      let entry = book.blocked('Sw==', '9', 1_000);
      entry = book.followed(entry, '99', 2_000);
      book.put(keyK, entry);
      expect(book.decide(keyK, '100', false).kind).to.equal('follow');
      expect(book.decide(keyK, '10', false).kind).to.equal('already-waiting');
    });

    it('handles a redelivery from before the chain apart, but skips a first attempt', () => {
      const book = bookWith();
      book.put(keyK, book.blocked('Sw==', '10', 1_000));
      expect(book.decide(keyK, '7', true)).to.deep.equal({ kind: 'stale' });
      expect(book.decide(keyK, '7', false).kind).to.equal('already-waiting');
      expect(book.decide(keyK, '10', true).kind).to.equal('blocker-back');
      expect(book.decide(keyK, '11', true).kind).to.equal('follow');
    });

    it('dead-letters a follower past maxWaitingPerKey', () => {
      const book = bookWith({ maxWaitingPerKey: 2 });
      const entry = blockedWithFollowers(book);
      expect(book.decide(keyK, '13', false)).to.deep.equal({ kind: 'over-cap', entry });
    });

    it('appends behind the last follower while the key drains', () => {
      const book = bookWith();
      const entry = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      book.put(keyK, entry);
      expect(book.decide(keyK, '13', false)).to.deep.equal({
        kind: 'follow',
        entry,
        blockerOffset: '12',
      });
    });

    it('dead-letters a released blocker first, whatever its key holds', () => {
      const book = bookWith();
      blockedWithFollowers(book);
      const released = book.release(keyK, 5_000)!;
      book.putReleased(released.marker);
      book.put(keyK, released.entry);
      expect(book.decide(keyK, '10', false)).to.deep.equal({
        kind: 'released-blocker',
        marker: released.marker,
      });
      book.dropReleased('10');
      expect(book.decide(keyK, '10', false).kind).to.equal('already-waiting');
    });

    it('dead-letters a later copy of a dead-lettered blocker, not a stale copy, once a new chain started (k0230)', () => {
      const book = bookWith();
      book.put(keyK, book.blocked('Sw==', '1382', 1_000));
      const back = book.decide(keyK, '1382', true);
      expect(back.kind).to.equal('blocker-back');
      const { entry } = back as { entry: BlockedKeyEntry };
      // The crash guard dead-lettered this copy; another (the live one) is still in a tier.
      const marker = book.deadLettered('Sw==', '1382', 'handler-crashed', true, 2_000)!;
      expect(marker).to.deep.equal({
        version: 1,
        kind: 'released',
        topic: 'orders',
        partition: 3,
        key: 'Sw==',
        offset: '1382',
        releasedAt: 2_000,
        reason: 'handler-crashed',
      });
      book.putReleased(marker);
      book.put(keyK, book.blockerEnded(entry, 'dead-lettered', 2_000)!);
      expect(book.decide(keyK, '1382', true)).to.deep.equal({ kind: 'released-blocker', marker });
      book.put(keyK, null);
      book.put(keyK, book.blocked('Sw==', '2477', 3_000));
      expect(book.decide(keyK, '1382', true)).to.deep.equal({ kind: 'released-blocker', marker });
      expect(book.decide(keyK, '2477', true).kind).to.equal('blocker-back');
    });

    it('dead-letters a later copy of a drained follower the crash guard dead-lettered, not a stale copy', () => {
      const book = bookWith();
      let entry = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      book.put(keyK, entry);
      // An earlier call of 11 sent it to a tier, then the process died before the entry moved
      // past it, and twice more in careful calls of it: the drain dead-letters it uncalled.
      entry = { ...entry, attempt: { offset: '11', crashes: 1, careful: true } };
      expect(book.followerStep(entry, '11', false, true)).to.deep.equal({
        kind: 'dead-letter',
        crashes: 2,
      });
      const marker = book.deadLettered('Sw==', '11', 'handler-crashed', false, 5_000)!;
      expect(marker).to.deep.include({ key: 'Sw==', offset: '11', reason: 'handler-crashed' });
      book.putReleased(marker);
      entry = book.drained(entry, '11', 'dead-lettered', 5_000);
      book.put(keyK, entry);
      book.put(keyK, book.drained(entry, '12', 'succeeded', 6_000));
      expect(book.decide(keyK, '11', true)).to.deep.equal({ kind: 'released-blocker', marker });
      expect(book.copyReleased(keyK, marker, 7_000), 'the entry does not name it').to.equal(
        undefined,
      );
    });

    it("dead-letters a later copy of a key's first record the crash guard dead-lettered, not a stale copy", () => {
      const book = bookWith();
      expect(book.decide(keyK, '5', false).kind).to.equal('handle');
      const marker = book.deadLettered('Sw==', '5', 'handler-crashed', false, 1_000)!;
      book.putReleased(marker);
      expect(book.decide(keyK, '5', false), 'read again').to.deep.equal({
        kind: 'released-blocker',
        marker,
      });
      expect(book.decide(keyK, '6', false).kind).to.equal('handle');
      book.put(keyK, book.blocked('Sw==', '7', 2_000));
      expect(book.decide(keyK, '5', true)).to.deep.equal({ kind: 'released-blocker', marker });
    });

    it("marks every dead letter of a blocker, and of any other record the crash guard's only", () => {
      const book = bookWith();
      for (const reason of [
        'retries-exhausted',
        'non-retryable-error',
        'record-too-large',
        'decode-failed',
        'handler-crashed',
      ] as const) {
        expect(book.deadLettered('Sw==', '10', reason, true, 1_000), reason).to.deep.include({
          reason,
        });
      }
      expect(book.deadLettered(null, '10', 'handler-crashed', false, 1_000)).to.deep.include({
        key: null,
        reason: 'handler-crashed',
      });
      for (const reason of [
        'retries-exhausted',
        'non-retryable-error',
        'record-too-large',
        'predecessor-dead-lettered',
        'waiting-cap-exceeded',
      ] as const) {
        expect(book.deadLettered('Sw==', '10', reason, false, 1_000), reason).to.equal(undefined);
      }
    });

    it("moves the entry on when a released blocker's copy comes back and the entry still names it", () => {
      for (const onDeadLetter of ['release', 'dead-letter'] as const) {
        const book = bookWith({ onDeadLetter });
        const entry = blockedWithFollowers(book);
        // The marker was written, then the owner died before the entry moved on.
        const deadLettered = book.deadLettered('Sw==', '10', 'retries-exhausted', true, 4_000)!;
        book.putReleased(deadLettered);
        expect(book.copyReleased(keyK, deadLettered, 5_000)).to.deep.equal({
          ...book.blockerEnded(entry, 'dead-lettered', 5_000)!,
        });
        const operator = book.release(keyK, 4_000)!.marker;
        const released = book.copyReleased(keyK, operator, 5_000)!;
        expect(released.blocker).to.equal(null);
        expect(released.deadLetterFollowers, 'an operator release drains them').to.equal(false);
        expect(needsDrain(released)).to.equal(true);
        book.put(keyK, released);
        expect(book.copyReleased(keyK, deadLettered, 6_000), 'moved on already').to.equal(
          undefined,
        );
      }
      const empty = bookWith();
      const marker = empty.deadLettered('Sw==', '10', 'handler-crashed', true, 2)!;
      expect(empty.copyReleased(keyK, marker, 3), 'no entry').to.equal(undefined);
    });

    it("keeps a dead-lettered blocker's marker for every copy that comes back, an operator's for the one", () => {
      const book = bookWith();
      book.put(keyK, book.blocked('Sw==', '10', 1_000));
      const released = book.release(keyK, 2_000)!.marker;
      expect(releasedForOneCopy(released)).to.equal(true);
      expect(releasedForOneCopy({ ...released, reason: undefined })).to.equal(true);
      const deadLettered = book.deadLettered('Sw==', '20', 'handler-crashed', true, 2_000)!;
      expect(releasedForOneCopy(deadLettered)).to.equal(false);
    });

    it('keeps keys apart, the null key and the empty key included', () => {
      const book = bookWith();
      book.put('null', book.blocked(null, '1', 1_000));
      expect(book.decide('null', '2', false).kind).to.equal('follow');
      expect(book.decide('k', '2', false).kind).to.equal('handle');
    });
  });

  describe("released markers' sweep", () => {
    it("sweeps a dead-lettered blocker's marker once its longest tier delay and a day have passed, an operator's never by age", () => {
      const book = bookWith();
      const deadLettered = book.deadLettered('Sw==', '10', 'handler-crashed', true, 2_000)!;
      book.putReleased(deadLettered);
      book.put(keyK, book.blocked('Sw==', '20', 1_000));
      book.putReleased(book.release(keyK, 2_000)!.marker);
      expect(book.sweepableMarkers(2_000 + markerLifetime)).to.deep.equal([]);
      expect(book.sweepableMarkers(2_001 + markerLifetime)).to.deep.equal(['10']);
      expect(book.sweepableMarkers(Number.MAX_SAFE_INTEGER)).to.deep.equal(['10']);
    });
  });

  describe('transitions', () => {
    it('starts a chain blocked, its drain bounded below by the blocker', () => {
      const entry = bookWith().blocked('Sw==', '10', 1_000);
      expect(entry).to.deep.equal({
        version: 1,
        kind: 'entry',
        topic: 'orders',
        partition: 3,
        key: 'Sw==',
        blocker: { offset: '10', since: 1_000 },
        waitingSince: null,
        followers: 0,
        lastFollowerOffset: '10',
        handledThroughOffset: '10',
        deadLetterFollowers: false,
        updatedAt: 1_000,
      });
      expect(needsDrain(entry)).to.equal(false);
    });

    it('counts followers and keeps the first one time', () => {
      const book = bookWith();
      const entry = blockedWithFollowers(book);
      expect(entry.followers).to.equal(2);
      expect(entry.lastFollowerOffset).to.equal('12');
      expect(entry.waitingSince).to.equal(2_000);
      expect(waitedOffset(entry)).to.equal('10');
    });

    it('changes nothing when the blocker goes to its next tier', () => {
      const book = bookWith();
      expect(book.blockerEnded(blockedWithFollowers(book), 'sent-to-tier', 4_000)).to.equal(
        undefined,
      );
    });

    it('ends the chain of a blocker that ends with no follower, its entry kept until committed', () => {
      const book = bookWith();
      const entry = book.blocked('Sw==', '10', 1_000);
      for (const end of ['succeeded', 'dead-lettered'] as const) {
        const over = book.blockerEnded(entry, end, 2_000)!;
        expect(chainOver(over)).to.equal(true);
        book.put(keyK, over);
        // Read again after a crash, the blocker is not handled anew; a later record is handled.
        expect(book.decide(keyK, '10', false).kind).to.equal('already-waiting');
        expect(book.decide(keyK, '11', false).kind).to.equal('handle');
        expect(book.decide(keyK, '11', true).kind).to.equal('stale');
        expect(book.sweepable('10')).to.deep.equal([]);
        expect(book.sweepable('11')).to.deep.equal([keyK]);
        expect(book.gauges().blockedKeys).to.equal(0);
      }
    });

    it('starts the drain when the blocker succeeds or is dead-lettered', () => {
      for (const onDeadLetter of ['release', 'dead-letter'] as const) {
        const book = bookWith({ onDeadLetter });
        const entry = blockedWithFollowers(book);
        const succeeded = book.blockerEnded(entry, 'succeeded', 4_000)!;
        expect(succeeded.blocker).to.equal(null);
        expect(succeeded.deadLetterFollowers).to.equal(false);
        expect(needsDrain(succeeded)).to.equal(true);
        const dead = book.blockerEnded(entry, 'dead-lettered', 4_000)!;
        expect(dead.deadLetterFollowers).to.equal(onDeadLetter === 'dead-letter');
      }
    });

    it('drains followers in order and ends the chain after the last', () => {
      const book = bookWith();
      let entry = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      expect(drainPick(entry, '10')).to.equal('skip');
      expect(drainPick(entry, '11')).to.equal('take');
      expect(drainPick(entry, '12')).to.equal('take');
      expect(drainPick(entry, '13')).to.equal('skip');
      entry = book.drained(entry, '11', 'succeeded', 5_000)!;
      expect(entry.followers).to.equal(1);
      expect(entry.handledThroughOffset).to.equal('11');
      expect(drainPick(entry, '11')).to.equal('skip');
      expect(drainedThroughLast(entry)).to.equal(false);
      const over = book.drained(entry, '12', 'dead-lettered', 6_000);
      expect(chainOver(over)).to.equal(true);
      expect(over.followers).to.equal(0);
      expect(over.waitingSince).to.equal(null);
    });

    it('makes a drained follower sent to a tier the blocker', () => {
      const book = bookWith({ onDeadLetter: 'dead-letter' });
      const draining = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      const entry = book.drained(draining, '11', 'sent-to-tier', 5_000)!;
      expect(entry.blocker).to.deep.equal({ offset: '11', since: 5_000 });
      expect(entry.followers).to.equal(1);
      expect(entry.waitingSince).to.equal(2_000);
      expect(needsDrain(entry)).to.equal(false);
      expect(
        book.drained(book.blocked('Sw==', '20', 1), '20', 'sent-to-tier', 2)?.waitingSince,
      ).to.equal(null);
    });

    it('gives up followers the waiting topic no longer holds', () => {
      const book = bookWith();
      const draining = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      expect(chainOver(book.followersMissing(draining, 5_000))).to.equal(true);
    });

    it('releases a blocked key: a marker for its blocker, its followers drain', () => {
      const book = bookWith();
      blockedWithFollowers(book);
      const released = book.release(keyK, 5_000)!;
      expect(released.marker).to.deep.equal({
        version: 1,
        kind: 'released',
        topic: 'orders',
        partition: 3,
        key: 'Sw==',
        offset: '10',
        releasedAt: 5_000,
        reason: 'released-by-operator',
      });
      expect(needsDrain(released.entry)).to.equal(true);
      book.put(keyK, released.entry);
      expect(book.release(keyK, 6_000)).to.equal(undefined);
      expect(bookWith().release(keyK, 6_000)).to.equal(undefined);
    });

    it('ends the chain of a released key with no follower', () => {
      const book = bookWith();
      book.put(keyK, book.blocked('Sw==', '10', 1_000));
      expect(chainOver(book.release(keyK, 2_000)!.entry)).to.equal(true);
    });

    it('ends a chain on offsets, not on the count: a duplicate drained does not end it early', () => {
      const book = bookWith();
      let entry = book.blockerEnded(blockedWithFollowers(book), 'succeeded', 4_000)!;
      entry = { ...entry, followers: 1 };
      entry = book.drained(entry, '11', 'succeeded', 5_000);
      expect(chainOver(entry)).to.equal(false);
      expect(entry.followers).to.equal(1);
      expect(needsDrain(entry)).to.equal(true);
    });
  });

  describe('gauges', () => {
    it('counts keys, waiting records and the oldest time held', () => {
      const book = bookWith();
      expect(book.gauges()).to.deep.equal({
        blockedKeys: 0,
        waitingRecords: 0,
        oldestBlockedSince: undefined,
      });
      blockedWithFollowers(book);
      book.put('kOther', book.blocked('b3RoZXI=', '20', 500));
      expect(book.gauges()).to.deep.equal({
        blockedKeys: 2,
        waitingRecords: 2,
        oldestBlockedSince: 500,
      });
      expect(book.drainable()).to.deep.equal([]);
      expect(
        sumGauges([
          book.gauges(),
          { blockedKeys: 1, waitingRecords: 5, oldestBlockedSince: 100 },
          { blockedKeys: 0, waitingRecords: 0, oldestBlockedSince: undefined },
        ]),
      ).to.deep.equal({ blockedKeys: 3, waitingRecords: 7, oldestBlockedSince: 100 });
    });
  });

  describe("the waiting-topic offset a chain's drain reads from", () => {
    it("is set by the chain's first append, kept by the next, moved past each follower handled", () => {
      const book = bookWith();
      let entry = book.followed(book.blocked('Sw==', '10', 1_000), '11', 2_000, '500');
      expect(entry.waitingFromOffset).to.equal('500');
      entry = book.followed(entry, '12', 3_000, '900');
      expect(entry.waitingFromOffset).to.equal('500');
      entry = book.blockerEnded(entry, 'succeeded', 4_000)!;
      entry = book.drained(entry, '11', 'succeeded', 5_000, '507');
      expect(entry.waitingFromOffset).to.equal('507');
      entry = book.drained(entry, '12', 'succeeded', 6_000, '512');
      expect(chainOver(entry)).to.equal(true);
      expect(entry).to.not.have.property('waitingFromOffset');
      entry = book.followed(entry, '13', 7_000, '600');
      expect(entry.waitingFromOffset).to.equal('600');
    });

    it('stays absent for an entry written before it existed, whose drain reads from waitingSince', () => {
      const book = bookWith();
      const { waitingFromOffset: _none, ...older } = book.followed(
        book.blocked('Sw==', '10', 1_000),
        '11',
        2_000,
        '500',
      );
      expect(book.followed(older, '12', 3_000, '900')).to.not.have.property('waitingFromOffset');
    });
  });

  describe('gauges kept as counters (property)', () => {
    it('equal the gauges summed over every entry, whatever the entries written', () => {
      const summed = (entries: Iterable<BlockedKeyEntry>) => {
        let blockedKeys = 0;
        let waitingRecords = 0;
        let oldestBlockedSince: number | undefined;
        for (const entry of entries) {
          if (chainOver(entry)) {
            continue;
          }
          blockedKeys += 1;
          waitingRecords += entry.followers;
          const since = entry.blocker?.since ?? entry.waitingSince ?? entry.updatedAt;
          oldestBlockedSince = Math.min(oldestBlockedSince ?? since, since);
        }
        return { blockedKeys, waitingRecords, oldestBlockedSince };
      };
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              key: fc.constantFrom('kA', 'kB', 'kC', 'kD'),
              since: fc.integer({ min: 0, max: 50 }),
              followers: fc.integer({ min: 0, max: 3 }),
              shape: fc.constantFrom('blocked', 'draining', 'over', 'tombstone'),
            }),
          ),
          (writes) => {
            const book = bookWith();
            const held = new Map<string, BlockedKeyEntry>();
            for (const { key, since, followers, shape } of writes) {
              let entry: BlockedKeyEntry | null = book.blocked(null, '10', since);
              for (let follower = 0; follower < followers; follower += 1) {
                entry = book.followed(entry, String(11 + follower), since + follower);
              }
              if (shape === 'draining' || shape === 'over') {
                entry = book.blockerEnded(entry, 'succeeded', since)!;
              }
              if (shape === 'over') {
                entry = book.followersMissing(entry, since);
              }
              if (shape === 'tombstone') {
                entry = null;
              }
              book.put(key, entry);
              if (entry === null) {
                held.delete(key);
              } else {
                held.set(key, entry);
              }
              expect(book.gauges()).to.deep.equal(summed(held.values()));
            }
          },
        ),
      );
    });
  });

  describe('one key under random failures, interleavings, deaths and duplicate copies (property)', () => {
    /** A record of the source partition: a record produced, or a copy of it back from a tier. */
    interface SourceRecord {
      /** Its position in the partition. */
      readonly position: number;
      /** The position of the record it is a copy of (its own, when produced). */
      readonly original: number;
      readonly tryCount: number;
    }

    /** How a handling of a record of the key ended (by its original), in the order they ended. */
    interface Happened {
      readonly original: number;
      readonly end: 'succeeded' | 'dead-lettered' | 'over-cap';
    }

    /**
     * Drives the book as the engine does, at the level of decisions, over one source partition:
     * records of the key produced, copies back from the tiers (in any order) appended to it, read
     * in order, committed now and then. The process dies (`kill -9`) in a handler call (a crash
     * of the record in hand, as in a careful stretch), or once the call's fate is handed on (a
     * tier copy or a dead letter published) before the writes that follow (the entry, the
     * marker): a death after a tier copy leaves a second copy in the tiers once the record is
     * handled again. After a death the partition is read again from its committed position, and
     * the crash guard dead-letters (`handler-crashed`) uncalled a record that died in hand
     * `maxHandlerCrashes` times; a drained follower's crashes are counted by its entry's mark.
     * Returns what happened.
     */
    function simulate(scenario: {
      readonly records: number;
      /** Per record produced, per try: whether that handling attempt succeeds. */
      readonly attempts: readonly (readonly boolean[])[];
      readonly tries: number;
      readonly maxWaitingPerKey: number;
      readonly onDeadLetter: OnDeadLetter;
      /** Which ready event runs next, whether the process dies. */
      readonly choices: readonly number[];
    }): { readonly happened: Happened[]; readonly produced: number[] } {
      const book = bookWith({
        maxWaitingPerKey: scenario.maxWaitingPerKey,
        onDeadLetter: scenario.onDeadLetter,
      });
      /** Keeps an entry as the engine does once written: it must read back as it was written. */
      const put = (entry: BlockedKeyEntry | null): void => {
        if (entry !== null) {
          const recordKey = entryRecordKey('orders', 3, Buffer.from('K'));
          expect(decodeBlockedKeysRecord(recordKey, encodeBlockedKeysRecord(entry))).to.deep.equal(
            entry,
          );
        }
        book.put(keyK, entry);
      };
      const happened: Happened[] = [];
      const partition: SourceRecord[] = [];
      /** The positions of the records produced, in order. */
      const produced: number[] = [];
      const waitingLog: number[] = [];
      const tiers: { readonly original: number; readonly tryCount: number }[] = [];
      /** The crash guard's count, by position. */
      const crashes = new Map<number, number>();
      let deaths = 0;
      let next = 0;
      let choice = 0;
      /** The next position to read after a restart: records before it are committed. */
      let committed = 0;
      const pick = (): number => scenario.choices[choice++ % scenario.choices.length]!;
      /** Whether the process dies now, with `inHand` in a handler call or its writes. */
      const dies = (inHand?: SourceRecord): boolean => {
        if (deaths >= 8 || pick() % 5 !== 0) {
          return false;
        }
        deaths += 1;
        next = committed;
        if (inHand !== undefined) {
          crashes.set(inHand.position, (crashes.get(inHand.position) ?? 0) + 1);
        }
        return true;
      };
      const deadLetter = (original: number): 'dead-lettered' => {
        happened.push({ original, end: 'dead-lettered' });
        return 'dead-lettered';
      };
      const attempt = (original: number, tryCount: number): HandlingEnd => {
        if (scenario.attempts[produced.indexOf(original)]![tryCount] ?? true) {
          happened.push({ original, end: 'succeeded' });
          return 'succeeded';
        }
        if (tryCount >= scenario.tries) {
          return deadLetter(original);
        }
        tiers.push({ original, tryCount: tryCount + 1 });
        return 'sent-to-tier';
      };
      /**
       * The handler's call for `record` (or the crash guard's dead letter of it), its fate handed
       * on: how it ended and why, or undefined when the process died before that.
       */
      const handle = (
        record: SourceRecord,
      ): { readonly end: HandlingEnd; readonly reason: DeadLetterReason } | undefined => {
        if ((crashes.get(record.position) ?? 0) >= maxHandlerCrashes) {
          return { end: deadLetter(record.original), reason: 'handler-crashed' };
        }
        if (dies(record)) {
          return undefined;
        }
        const end = attempt(record.original, record.tryCount);
        return dies(record) ? undefined : { end, reason: 'retries-exhausted' };
      };
      /**
       * The engine's marker write after the dead letter of `original` (`inHand`, unless a drained
       * follower); false when the process died after it.
       */
      const marked = (
        original: number,
        reason: DeadLetterReason,
        blocker: boolean,
        inHand?: SourceRecord,
      ): boolean => {
        const marker = book.deadLettered('Sw==', String(original), reason, blocker, 0);
        if (marker !== undefined) {
          book.putReleased(marker);
        }
        return !dies(inHand);
      };
      const consume = (record: SourceRecord): void => {
        const original = String(record.original);
        const decision = book.decide(keyK, original, record.tryCount > 0);
        switch (decision.kind) {
          case 'handle': {
            const handled = handle(record);
            if (handled?.end === 'sent-to-tier') {
              put(book.blocked('Sw==', original, 0));
            } else if (handled?.end === 'dead-lettered') {
              marked(record.original, handled.reason, false, record);
            }
            return;
          }
          case 'blocker-back': {
            const handled = handle(record);
            if (
              handled === undefined ||
              (handled.end === 'dead-lettered' &&
                !marked(record.original, handled.reason, true, record))
            ) {
              return;
            }
            const after = book.blockerEnded(decision.entry, handled.end, 0);
            if (after !== undefined) {
              put(after);
            }
            return;
          }
          case 'follow':
            // Appended, then the process may die before its entry: appended again when read again.
            waitingLog.push(record.original);
            if (!dies(record)) {
              put(book.followed(decision.entry, original, 0));
            }
            return;
          case 'over-cap':
            happened.push({ original: record.original, end: 'over-cap' });
            return;
          case 'stale': {
            const handled = handle(record);
            if (handled?.end === 'dead-lettered') {
              marked(record.original, handled.reason, false, record);
            }
            return;
          }
          case 'released-blocker': {
            deadLetter(record.original);
            if (dies(record)) {
              return;
            }
            const after = book.copyReleased(keyK, decision.marker, 0);
            if (after !== undefined) {
              put(after);
            }
            return;
          }
          case 'already-waiting':
            return;
        }
      };
      const drainStep = (): void => {
        const entry = book.entry(keyK)!;
        const original = waitingLog.find((each) => drainPick(entry, String(each)) === 'take');
        expect(original, 'a counted follower is on the waiting log').to.not.equal(undefined);
        const follower = String(original);
        let end: HandlingEnd;
        if (entry.deadLetterFollowers) {
          end = deadLetter(original!);
        } else {
          const step = book.followerStep(
            entry,
            follower,
            false,
            book.followerSuspect(entry, follower, false),
          );
          if (step.kind === 'dead-letter') {
            end = deadLetter(original!);
            if (!marked(original!, 'handler-crashed', false)) {
              return;
            }
          } else {
            // The call's mark, then the call: a death in it or after its tier copy leaves the mark.
            put(step.entry);
            if (dies()) {
              return;
            }
            end = attempt(original!, 0);
          }
        }
        if (!dies()) {
          put(book.drained(book.entry(keyK)!, follower, end, 0));
        }
      };
      for (;;) {
        const entry = book.entry(keyK);
        const ready: (() => void)[] = [];
        if (produced.length < scenario.records) {
          ready.push(() => {
            const position = partition.length;
            produced.push(position);
            partition.push({ position, original: position, tryCount: 0 });
          });
        }
        if (tiers.length > 0) {
          // A copy comes back from its tier: the tiers' delays differ, any may be first.
          ready.push(() => {
            const [back] = tiers.splice(pick() % tiers.length, 1);
            partition.push({ position: partition.length, ...back! });
          });
        }
        if (next < partition.length) {
          ready.push(() => consume(partition[next++]!));
        }
        if (entry !== undefined && needsDrain(entry)) {
          ready.push(drainStep);
        }
        if (committed < next) {
          ready.push(() => {
            // A commit, and the sweep of the chains over and committed through.
            committed += 1 + (pick() % (next - committed));
            for (const id of book.sweepable(String(committed))) {
              expect(id).to.equal(keyK);
              put(null);
            }
          });
        }
        if (ready.length === 0) {
          return { happened, produced };
        }
        expect(choice, 'the simulation ends').to.be.lessThan(20_000);
        ready[pick() % ready.length]!();
      }
    }

    it('succeeds each record first in order, never after its dead letter, and loses none', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }).chain((records) =>
            fc.record({
              records: fc.constant(records),
              attempts: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), {
                minLength: records,
                maxLength: records,
              }),
              tries: fc.integer({ min: 1, max: 3 }),
              maxWaitingPerKey: fc.integer({ min: 1, max: 12 }),
              onDeadLetter: fc.constantFrom<OnDeadLetter>('release', 'dead-letter'),
              choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 64 }),
            }),
          ),
          (scenario) => {
            const { happened, produced } = simulate(scenario);
            // A record dead-lettered `waiting-cap-exceeded`, read again after a death before its
            // commit, is decided anew and may be handled out of order: a limit of its own (see
            // docs/ordered-retries.md), left out here.
            const overCap = new Set(
              happened.filter(({ end }) => end === 'over-cap').map(({ original }) => original),
            );
            const succeeded: number[] = [];
            const deadLettered = new Set<number>();
            for (const { original, end } of happened) {
              if (overCap.has(original)) {
                continue;
              }
              if (end === 'dead-lettered') {
                deadLettered.add(original);
              } else if (!succeeded.includes(original)) {
                // A success after a first one is a duplicate (a death before its commit).
                expect(
                  deadLettered.has(original),
                  `${original} succeeded first after its dead letter`,
                ).to.equal(false);
                expect(
                  succeeded.filter((other) => other > original),
                  `${original} succeeded first after these later records of its key`,
                ).to.deep.equal([]);
                succeeded.push(original);
              }
            }
            for (const original of produced) {
              expect(
                succeeded.includes(original) || deadLettered.has(original) || overCap.has(original),
                `record ${original} succeeded or was dead-lettered`,
              ).to.equal(true);
            }
          },
        ),
        { numRuns: 1_000 },
      );
    });
  });
});
