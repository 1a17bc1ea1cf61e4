import { expect } from 'chai';
import { encodeCommitMetadata } from '@ricochet/core';
import type { CommittedOffset, CommittedOffsetReader } from '@ricochet/kafka';
import { testLogger } from '@ricochet/testing';
import { CrashGuards } from '../src/crash-guards.js';
import { DoneRecords, mergeOffsets } from '../src/done-records.js';

/** What the group's broker holds for the partition: the reader's only source (no Kafka here). */
function committedReader(committed: CommittedOffset): CommittedOffsetReader {
  return { read: () => Promise.resolve(committed) } as unknown as CommittedOffsetReader;
}

describe('CrashGuards', () => {
  // A partition kept across a group join whose last commit did not reach the broker (it failed
  // with a rebalance error, so kafkajs rejoined without a crash and the member kept the
  // partition): kafkajs resumes from the committed offset, so the records the earlier owner
  // listed done there must be skipped again, not handled twice. Found by reading the code while
  // studying the chaos run's duplicates; it failed before CrashGuards re-read kept partitions.
  it('reads the done records of a partition kept across a group join again, from what is committed', async () => {
    const committed: CommittedOffset = {
      offset: '100',
      metadata: encodeCommitMetadata({ owner: 'earlier-owner', done: ['101', '102'] }),
    };
    const guards = new CrashGuards(committedReader(committed), 'this-owner', 2, testLogger('main'));
    const owned = await guards.forPartition('orders', 0);
    // The first batch: 100 handled, 101 and 102 skipped (the earlier owner did them), 103 handled.
    expect(['100', '101', '102', '103'].map((offset) => owned.done.has(offset))).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
    // Every record settled, none done beyond: what MainConsumer#handleBatch keeps at its end.
    owned.done = new DoneRecords(mergeOffsets([], owned.done.notReached()));
    // Its commit through 103 failed with a rebalance error; the member rejoined and kept the
    // partition. The broker still holds offset 100 with 101 and 102 done, and kafkajs resumes
    // the partition from offset 100.
    guards.keepOnly({ orders: [0] });
    const again = await guards.forPartition('orders', 0);
    expect(['100', '101', '102', '103'].map((offset) => again.done.has(offset))).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
  });

  it('reads a partition again after a consumer crash (the member left the group)', async () => {
    const committed: CommittedOffset = {
      offset: '100',
      metadata: encodeCommitMetadata({ owner: 'earlier-owner', done: ['101'] }),
    };
    const guards = new CrashGuards(committedReader(committed), 'this-owner', 2, testLogger('main'));
    const owned = await guards.forPartition('orders', 0);
    expect(owned.done.has('101')).to.equal(true);
    guards.forgetAll();
    const again = await guards.forPartition('orders', 0);
    expect(again.done.has('101')).to.equal(true);
  });

  // A batch of a partition whose guard is current loads nothing, so it sets no heartbeat timer.
  it('holds a partition loaded once read, until a group join or a crash calls for a read again', async () => {
    const committed: CommittedOffset = { offset: '100', metadata: null };
    const guards = new CrashGuards(committedReader(committed), 'this-owner', 2, testLogger('main'));
    expect(guards.loaded('orders', 0)).to.equal(undefined);
    const owned = await guards.forPartition('orders', 0);
    expect(guards.loaded('orders', 0)).to.equal(owned);
    guards.keepOnly({ orders: [0] });
    expect(guards.loaded('orders', 0)).to.equal(undefined);
    await guards.forPartition('orders', 0);
    expect(guards.loaded('orders', 0)).to.equal(owned);
    guards.forgetAll();
    expect(guards.loaded('orders', 0)).to.equal(undefined);
  });
});
