import { expect } from 'chai';
import fc from 'fast-check';
import { keyId, toWaitingRecord, type ConsumedRecord } from '@ricochet/core';
import type { PartitionReader } from '@ricochet/kafka';
import { testLogger } from '@ricochet/testing';
import { WaitingIndex } from '../src/waiting-index.js';
import { scanFollowers, type WaitingFollower } from '../src/waiting-scan.js';

const waitingTopic = 'ricochet.billing.waiting';

/** A waiting partition held in memory, counting the records each read delivers. */
function waitingPartition(followers: readonly ConsumedRecord[]) {
  const log = followers.map((follower, index) => {
    const outgoing = toWaitingRecord(follower, 'billing', '0', waitingTopic, 0);
    const record: ConsumedRecord = {
      topic: waitingTopic,
      partition: 0,
      offset: String(index),
      timestamp: '1800000000000',
      key: outgoing.key,
      value: outgoing.value,
      headers: outgoing.headers,
    };
    return record;
  });
  const counts = { delivered: 0 };
  const reader: PartitionReader = {
    offsets: () => Promise.resolve({ earliest: '0', end: String(log.length) }),
    offsetForTimestamp: () => Promise.resolve('0'),
    read: async (_topic, _partition, from, until, onRecords) => {
      for (let offset = Number(from); offset < Number(until); offset += 3) {
        const chunk = log.slice(offset, Math.min(offset + 3, Number(until)));
        counts.delivered += chunk.length;
        if ((await onRecords(chunk)) === false) {
          return;
        }
      }
    },
    close: () => Promise.resolve(),
  };
  return { counts, source: { reader, waitingTopic, logger: testLogger('main') } };
}

function follower(partition: number, key: string, offset: number): ConsumedRecord {
  return {
    topic: 'orders',
    partition,
    offset: String(offset),
    timestamp: '1700000000000',
    key: Buffer.from(key),
    value: Buffer.from(`${key}@${offset}`),
    headers: {},
  };
}

const nameOf = (record: ConsumedRecord) =>
  record.topic === 'orders' && record.partition === 1 ? keyId(record.key) : undefined;

function offsets(followers: readonly WaitingFollower[]): string[] {
  return followers.map((one) => `${one.waitingOffset}:${one.record.offset}`);
}

describe('WaitingIndex', () => {
  it('answers as a scan of the partition would, for any key, range and limit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            partition: fc.constantFrom(1, 2),
            key: fc.constantFrom('a', 'b', 'c'),
          }),
          { maxLength: 40 },
        ),
        fc.array(
          fc.record({
            key: fc.constantFrom('a', 'b', 'c'),
            from: fc.nat(45),
            length: fc.nat(45),
            max: fc.integer({ min: 1, max: 5 }),
            skipBelow: fc.nat(40),
          }),
          { maxLength: 12 },
        ),
        fc.integer({ min: 0, max: 4_000 }),
        async (records, scans, capacity) => {
          const { source } = waitingPartition(
            records.map(({ partition, key }, index) => follower(partition, key, 100 + index)),
          );
          const index = new WaitingIndex(source, 0, nameOf, capacity);
          for (const { key, from, length, max, skipBelow } of scans) {
            const until = Math.min(from + length, records.length);
            const name = keyId(Buffer.from(key));
            const isFollower = (record: ConsumedRecord) =>
              nameOf(record) === name && Number(record.offset) >= 100 + skipBelow;
            const scan = { from: String(from), until: String(until), max, isFollower };
            const indexed = await index.scan(name, scan);
            const read = await scanFollowers(source, { ...scan, partition: 0 });
            expect(offsets(indexed.followers)).to.deep.equal(offsets(read.followers));
            if (read.followers.length === max) {
              expect(indexed.next).to.equal(read.next);
            }
          }
        },
      ),
    );
  });

  it('reads a range once for the drains of every key', async () => {
    const keys = ['a', 'b', 'c', 'd'];
    const { source, counts } = waitingPartition(
      Array.from({ length: 40 }, (_, offset) => follower(1, keys[offset % 4]!, offset)),
    );
    const index = new WaitingIndex(source, 0, nameOf);
    for (const key of keys) {
      const name = keyId(Buffer.from(key));
      const scan = await index.scan(name, {
        from: '0',
        until: '40',
        max: 64,
        isFollower: (record) => nameOf(record) === name,
      });
      expect(scan.followers).to.have.length(10);
      expect(scan.next).to.equal('40');
    }
    expect(counts.delivered).to.equal(40);
  });
});
