import { expect } from 'chai';
import type { BlockedKeyEntry, ReleaseCommand, ReleasedBlocker } from '@ricochet/core';
import {
  believed,
  isOwnerState,
  StateFold,
  type ReadStateRecord,
} from '../src/key-strict-fence.js';

const entryKey = 'entry/orders/3/kSw';
const entry: BlockedKeyEntry = {
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
};
const command: ReleaseCommand = {
  version: 1,
  kind: 'release',
  topic: 'orders',
  partition: 3,
  key: 'Sw==',
  requestedAt: 2_000,
};
const fence = { writer: 'owner-b', from: '100' };

function read(offset: string, writer: string | undefined, record = entry): ReadStateRecord {
  return { offset, recordKey: entryKey, writer, record };
}

describe('key-strict fencing', () => {
  it('believes writes before the fence, and the committing owner’s after it', () => {
    expect(believed(read('99', 'owner-a'), fence)).to.equal(true);
    expect(believed(read('99', undefined), fence)).to.equal(true);
    expect(believed(read('100', 'owner-b'), fence)).to.equal(true);
    expect(believed(read('5000', 'owner-b'), fence)).to.equal(true);
  });

  it('does not believe a write after the fence by another writer: a zombie’s, or an owner’s that never committed', () => {
    expect(believed(read('100', 'owner-a'), fence)).to.equal(false);
    expect(believed(read('150', 'owner-c'), fence)).to.equal(false);
    expect(believed(read('150', undefined), fence)).to.equal(false);
    expect(believed({ ...read('150', 'owner-a'), record: undefined }, fence)).to.equal(false);
  });

  it('believes no owner’s write without a fence, but always an operator’s release command', () => {
    expect(believed(read('0', 'owner-a'), undefined)).to.equal(false);
    const release = { offset: '7', recordKey: 'release/orders/3/kSw', writer: undefined };
    expect(believed({ ...release, record: command }, undefined)).to.equal(true);
    expect(believed({ ...release, record: command }, fence)).to.equal(true);
    expect(believed({ ...release, record: undefined }, undefined)).to.equal(false);
  });

  it('folds to the last believed record per key, and names the keys whose last record is not believed', () => {
    const fold = new StateFold(fence);
    fold.add(read('50', 'owner-a'));
    fold.add(read('120', 'owner-a', { ...entry, blocker: null }));
    expect(fold.state.get(entryKey)).to.deep.equal(entry);
    expect([...fold.disbelieved]).to.deep.equal([entryKey]);

    fold.add({ ...read('130', 'owner-b'), record: undefined });
    expect(fold.state.has(entryKey)).to.equal(false);
    expect(fold.disbelieved.size).to.equal(0);
  });

  it("keeps a drained follower's call mark from a write not believed, and nothing else of it", () => {
    const fold = new StateFold(fence);
    const draining = { ...entry, blocker: null, followers: 2, lastFollowerOffset: '12' };
    fold.add(read('50', 'owner-a', draining));
    const marked = {
      ...draining,
      handledThroughOffset: '11',
      attempt: { offset: '12', crashes: 1, careful: true },
    };
    fold.add(read('150', 'owner-c', marked));
    expect(fold.state.get(entryKey)).to.deep.equal({
      ...draining,
      attempt: { offset: '12', crashes: 1, careful: true },
    });
    expect([...fold.disbelieved]).to.deep.equal([entryKey]);
    fold.add(read('160', 'owner-c', { ...draining, handledThroughOffset: '12' }));
    expect(fold.state.get(entryKey)).to.deep.equal(draining);
  });

  it("keeps the crash guard's marker of a drained follower from a write not believed: a later write past the follower must not take its crash count with it", () => {
    // The owner that dead-lettered follower 12 (it crashed the process maxHandlerCrashes times)
    // died before its first commit: its marker and its entry past 12 are not believed.
    const fold = new StateFold(fence);
    const draining = { ...entry, blocker: null, followers: 2, lastFollowerOffset: '12' };
    const marked = {
      ...draining,
      handledThroughOffset: '11',
      attempt: { offset: '12', crashes: 1, careful: true },
    };
    fold.add(read('50', 'owner-a', marked));
    const markerKey = 'released/orders/3/12';
    const marker: ReleasedBlocker = {
      version: 1,
      kind: 'released',
      topic: 'orders',
      partition: 3,
      key: 'Sw==',
      offset: '12',
      releasedAt: 5_000,
      reason: 'handler-crashed',
    };
    fold.add({ offset: '150', recordKey: markerKey, writer: 'owner-c', record: marker });
    fold.add(read('151', 'owner-c', { ...draining, followers: 0, handledThroughOffset: '12' }));
    expect(fold.state.get(markerKey)).to.deep.equal(marker);
    expect(fold.state.get(entryKey), 'the progress past 12 is not believed').to.deep.equal({
      ...draining,
      handledThroughOffset: '11',
    });
    expect([...fold.disbelieved].sort()).to.deep.equal([entryKey, markerKey]);
    // Nothing else of a write not believed: another reason's marker, or a tombstone of the one kept.
    fold.add({
      offset: '152',
      recordKey: 'released/orders/3/10',
      writer: 'owner-c',
      record: { ...marker, offset: '10', reason: 'retries-exhausted' },
    });
    fold.add({ offset: '153', recordKey: markerKey, writer: 'owner-c', record: undefined });
    expect(fold.state.has('released/orders/3/10')).to.equal(false);
    expect(fold.state.get(markerKey)).to.deep.equal(marker);
  });

  it('tells owner state from commands', () => {
    expect(isOwnerState(entryKey)).to.equal(true);
    expect(isOwnerState('released/orders/3/10')).to.equal(true);
    expect(isOwnerState('release/orders/3/kSw')).to.equal(false);
  });
});
