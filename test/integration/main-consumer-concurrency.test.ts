import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCommitMetadata, type OutgoingRecord } from '@ricochet/core';
import { createMainConsumer, type MainConsumer } from '@ricochet/main-consumer';
import type { Ordering } from '@ricochet/main-consumer/defaults';
import {
  collectTopic,
  committedOffsets,
  committedToEnd,
  createTestTopics,
  produceRecords,
  sleep,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  withAdmin,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { spawnFixture, type FixtureProcess } from './fixture-process.js';
import { deleteTopicsIfPresent, recreateTopics } from './pipeline-fixture.js';

const childScript = 'test/integration/concurrent-consumer-child.ts';

/** One handler call as the test saw it. */
interface Call {
  readonly consumer: string;
  readonly key: string;
  readonly partition: number;
  readonly offset: number;
  readonly startedAt: number;
  endedAt: number | undefined;
}

/** Records of `keys` keys, one after another round the keys, so each partition interleaves many keys. */
function keyedRecords(topic: string, count: number, keys: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    topic,
    key: Buffer.from(`key-${index % keys}`),
    value: Buffer.from(String(index)),
    headers: {},
  }));
}

/**
 * For every key, each call began only after a call of every earlier record of that key had
 * ended (the key's order held, across owners too), and no two calls of a key overlapped.
 */
function expectKeyOrder(calls: readonly Call[]): void {
  const byKey = new Map<string, Call[]>();
  for (const call of calls) {
    byKey.set(call.key, [...(byKey.get(call.key) ?? []), call]);
  }
  for (const [key, keyCalls] of byKey) {
    const ordered = [...keyCalls].sort((a, b) => a.startedAt - b.startedAt);
    for (const [index, call] of ordered.entries()) {
      const earlierEnded = ordered
        .slice(0, index)
        .every((earlier) => earlier.endedAt !== undefined && earlier.endedAt <= call.startedAt);
      expect(earlierEnded, `${key}: a call overlapped an earlier one`).to.equal(true);
      const offsetsDoneBefore = new Set(ordered.slice(0, index).map((earlier) => earlier.offset));
      const keyOffsets = [...new Set(keyCalls.map((each) => each.offset))].filter(
        (offset) => offset < call.offset,
      );
      for (const earlierOffset of keyOffsets) {
        expect(
          offsetsDoneBefore.has(earlierOffset),
          `${key}: offset ${call.offset} began before ${earlierOffset} was done`,
        ).to.equal(true);
      }
    }
  }
}

/** A main consumer whose handler sleeps a random 0..`maxLatency` ms and logs each call. */
function recordingConsumer(options: {
  readonly name: string;
  readonly topic: string;
  readonly group: string;
  readonly calls: Call[];
  readonly maxLatencyMilliseconds: number;
  readonly maxInFlight: number;
  readonly concurrency?: number;
  readonly ordering?: Ordering;
  readonly inFlight?: { now: number; most: number };
}): MainConsumer<Buffer | null> {
  return createMainConsumer({
    ...testConnection(),
    maxWaitMilliseconds: testMaxWaitMilliseconds,
    groupId: options.group,
    topics: [options.topic],
    tiers: '4321s',
    dlqTopic: `${options.group}-dlq`,
    fromBeginning: true,
    sessionTimeoutMilliseconds: 6_000,
    maxInFlight: options.maxInFlight,
    concurrency: options.concurrency ?? 1,
    ...(options.ordering === undefined ? {} : { ordering: options.ordering }),
    commitIntervalMilliseconds: 200,
    logger: testLogger('main'),
    handler: async (record) => {
      const call: Call = {
        consumer: options.name,
        key: record.key!.toString(),
        partition: record.partition,
        offset: Number(record.offset),
        startedAt: performance.now(),
        endedAt: undefined,
      };
      options.calls.push(call);
      if (options.inFlight !== undefined) {
        options.inFlight.now += 1;
        options.inFlight.most = Math.max(options.inFlight.most, options.inFlight.now);
      }
      await sleep(Math.random() * options.maxLatencyMilliseconds);
      if (options.inFlight !== undefined) {
        options.inFlight.now -= 1;
      }
      call.endedAt = performance.now();
    },
  });
}

/** Each partition's offsets handled, as `partition:offset`. */
function handledRecords(calls: readonly Call[]): Set<string> {
  return new Set(calls.map(({ partition, offset }) => `${partition}:${offset}`));
}

function everyRecord(partitionEnds: ReadonlyArray<{ partition: number; high: string }>): string[] {
  return partitionEnds.flatMap(({ partition, high }) =>
    Array.from({ length: Number(high) }, (_, offset) => `${partition}:${offset}`),
  );
}

describe('main consumer: records of a partition at once, in key order (real broker)', function () {
  this.timeout(180_000);

  it('keeps each key in offset order while keys interleaved across partitions run at once', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 6);
    await produceRecords(keyedRecords(topic, 900, 40));
    const calls: Call[] = [];
    const inFlight = { now: 0, most: 0 };
    const maxInFlight = 16;
    const consumer = recordingConsumer({
      name: 'only',
      topic,
      group,
      calls,
      maxLatencyMilliseconds: 20,
      maxInFlight,
      concurrency: 3,
      inFlight,
    });
    await consumer.start();
    try {
      await waitFor('every partition committed to its end', async () =>
        (await committedToEnd(group, topic)) ? true : undefined,
      );
      const ends = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
      expect([...handledRecords(calls)].sort()).to.deep.equal(everyRecord(ends).sort());
      expect(calls, 'each record handled once').to.have.length(900);
      expectKeyOrder(calls);
      expect(inFlight.most, 'records ran at once').to.be.greaterThan(4);
      expect(inFlight.most, 'never more than maxInFlight').to.be.at.most(maxInFlight);
      expect(
        new Set(calls.map((call) => call.partition)).size,
        'keys spread over partitions',
      ).to.equal(6);
    } finally {
      await consumer.stop();
    }
  });

  it('partition ordering: one record of a partition at a time, in offset order, partitions at once', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 3);
    await produceRecords(keyedRecords(topic, 150, 40));
    const calls: Call[] = [];
    const inFlight = { now: 0, most: 0 };
    const consumer = recordingConsumer({
      name: 'only',
      topic,
      group,
      calls,
      maxLatencyMilliseconds: 10,
      maxInFlight: 16,
      concurrency: 3,
      ordering: 'partition',
      inFlight,
    });
    await consumer.start();
    try {
      await waitFor('every partition committed to its end', async () =>
        (await committedToEnd(group, topic)) ? true : undefined,
      );
      expect(calls).to.have.length(150);
      for (const partition of [0, 1, 2]) {
        const ofPartition = calls.filter((call) => call.partition === partition);
        for (const [index, call] of ofPartition.entries()) {
          const previous = ofPartition[index - 1];
          if (previous !== undefined) {
            expect(call.offset, 'in offset order').to.equal(previous.offset + 1);
            expect(previous.endedAt!, 'one at a time').to.be.at.most(call.startedAt);
          }
        }
      }
      expect(inFlight.most, 'partitions at once').to.be.greaterThan(1);
      expect(inFlight.most).to.be.at.most(3);
    } finally {
      await consumer.stop();
    }
  });

  it('commits nothing past a failed record until its hand-off is acknowledged, though later records of other keys are done', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const tier = 'retry-1759ms';
    // The tier is missing at first: the hand-off of the failure is published only once it exists.
    await deleteTopicsIfPresent([tier]);
    await createTestTopics([topic], 1);
    await produceRecords([
      { topic, key: Buffer.from('failing'), value: Buffer.from('fail'), headers: {} },
      ...Array.from({ length: 30 }, (_, index) => ({
        topic,
        key: Buffer.from(`other-${index}`),
        value: Buffer.from('ok'),
        headers: {},
      })),
    ]);
    const handled: string[] = [];
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '1759ms',
      fromBeginning: true,
      commitIntervalMilliseconds: 50,
      logger: testLogger('main'),
      handler: async (record) => {
        if (record.value?.toString() === 'fail') {
          await sleep(300);
          throw new Error('fails slowly');
        }
        handled.push(record.offset);
      },
    });
    const observations: Array<{ committed: string | undefined; inTier: boolean }> = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const committed = (await committedOffsets(group, topic)).get(0);
        // Read after the commit: if the commit passed the failure, its hand-off was acknowledged
        // before, so the tier must hold it now.
        const tierEnd = await withAdmin((admin) => admin.fetchTopicOffsets(tier)).catch(
          () => undefined,
        );
        observations.push({
          committed: committed?.offset,
          inTier: tierEnd !== undefined && tierEnd[0]!.high !== '0',
        });
        await sleep(25);
      }
    })();
    await consumer.start();
    try {
      await waitFor('the later records done', () => (handled.length === 30 ? true : undefined));
      const whileFailing = await waitFor(
        'a commit carrying the records done beyond the failure',
        async () => {
          const committed = (await committedOffsets(group, topic)).get(0);
          const done = decodeCommitMetadata(committed?.metadata)?.done;
          return done !== undefined && done.length > 0 ? { committed, done } : undefined;
        },
      );
      expect(whileFailing.committed?.offset ?? '0', 'not past the failed record').to.equal('0');
      expect(whileFailing.done[0]).to.equal('1');
      await sleep(1_000);
      await recreateTopics([tier], 1);
      await waitFor('every record committed', async () =>
        (await committedOffsets(group, topic)).get(0)?.offset === '31' ? true : undefined,
      );
      const inTier = await collectTopic(tier);
      try {
        await waitFor('the failure in its tier', () =>
          inTier.records.length > 0 ? true : undefined,
        );
        expect(inTier.records[0]!.key?.toString()).to.equal('failing');
      } finally {
        await inTier.stop();
      }
    } finally {
      watching = false;
      await watch;
      await consumer.stop();
    }
    const passedUnacknowledged = observations.filter(
      ({ committed, inTier }) => committed !== undefined && committed !== '0' && !inTier,
    );
    expect(passedUnacknowledged, 'a commit passed the failure before its hand-off').to.deep.equal(
      [],
    );
    expect(
      observations.filter(({ committed }) => committed === '0').length,
      'commits were held at the failure while it waited',
    ).to.be.greaterThan(0);
  });

  it('kill -9 with records done beyond a record in hand: nothing lost, and the done records are not handled again', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    await produceRecords([
      { topic, key: Buffer.from('hangs'), value: Buffer.from('0'), headers: {} },
      ...keyedRecords(topic, 60, 10),
    ]);
    const ledgers = mkdtempSync(join(tmpdir(), 'ricochet-concurrency-'));
    const firstLedger = join(ledgers, 'first');
    const secondLedger = join(ledgers, 'second');
    const readLedger = (ledger: string): number[] =>
      existsSync(ledger)
        ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean).map(Number)
        : [];
    const first = spawnFixture(childScript, [topic, group, firstLedger], { HANG_KEY: 'hangs' });
    let second: FixtureProcess | undefined;
    try {
      await waitFor(
        'a commit held at the record in hand, the rest listed done',
        async () => {
          const committed = (await committedOffsets(group, topic)).get(0);
          const done = decodeCommitMetadata(committed?.metadata)?.done;
          return done?.length === 60 ? true : undefined;
        },
        { timeoutMilliseconds: 60_000 },
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = (await committedOffsets(group, topic)).get(0);
      const doneAtKill = decodeCommitMetadata(atKill?.metadata)?.done ?? [];
      expect(atKill?.offset ?? '0', first.log()).to.equal('0');
      expect(doneAtKill).to.have.length(60);
      expect(readLedger(firstLedger).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 61 }, (_, offset) => offset),
      );

      second = spawnFixture(childScript, [topic, group, secondLedger]);
      await waitFor(
        'every record committed after the restart',
        async () =>
          (await committedOffsets(group, topic)).get(0)?.offset === '61' ? true : undefined,
        { timeoutMilliseconds: 90_000 },
      );
      const handledAgain = readLedger(secondLedger);
      expect(handledAgain, second.log()).to.deep.equal([0]);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
    }
  });

  it('stop with a handler running past the revoke grace: returns after the grace, commits what is done, not the record in hand', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    await produceRecords([
      { topic, key: Buffer.from('hangs'), value: Buffer.from('0'), headers: {} },
      ...keyedRecords(topic, 20, 5),
    ]);
    const handled: string[] = [];
    const graceMilliseconds = 1_500;
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '4321s',
      dlqTopic: `${group}-dlq`,
      fromBeginning: true,
      revokeGraceMilliseconds: graceMilliseconds,
      handlerTimeoutMilliseconds: 600_000,
      logger: testLogger('main'),
      handler: async (record) => {
        handled.push(record.offset);
        if (record.key?.toString() === 'hangs') {
          await new Promise(() => {});
        }
      },
    });
    await consumer.start();
    let stopped = false;
    try {
      await waitFor('the records after the one in hand handled', () =>
        handled.length === 21 ? true : undefined,
      );
      expect(consumer.inFlight, 'the record in hand holds a slot').to.equal(1);
      expect(consumer.partitionGaps()).to.deep.equal([
        { topic, partition: 0, doneBeyondCommitted: 20 },
      ]);
      const stopping = performance.now();
      await consumer.stop();
      stopped = true;
      const stopMilliseconds = performance.now() - stopping;
      expect(stopMilliseconds, 'waited for the grace').to.be.at.least(graceMilliseconds - 1_000);
      expect(stopMilliseconds, 'no longer than the grace and a disconnect').to.be.below(
        graceMilliseconds + 8_000,
      );
      const committed = (await committedOffsets(group, topic)).get(0);
      expect(committed?.offset ?? '0').to.equal('0');
      const metadata = decodeCommitMetadata(committed?.metadata);
      expect(metadata?.done).to.deep.equal(
        Array.from({ length: 20 }, (_, index) => String(index + 1)),
      );
      expect(metadata?.guard, 'a clean end: nothing to suspect').to.equal(undefined);
    } finally {
      if (!stopped) {
        await consumer.stop();
      }
    }
  });

  it('a member joining while handlers run: nothing lost, and no key handled out of order', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 6);
    await produceRecords(keyedRecords(topic, 2_400, 40));
    const calls: Call[] = [];
    const common = {
      topic,
      group,
      calls,
      maxLatencyMilliseconds: 50,
      maxInFlight: 8,
      concurrency: 6,
    };
    const firstMember = recordingConsumer({ name: 'first', ...common });
    const secondMember = recordingConsumer({ name: 'second', ...common });
    await firstMember.start();
    try {
      await waitFor('the first member well into the records', () =>
        calls.length >= 200 ? true : undefined,
      );
      await secondMember.start();
      await waitFor(
        'every partition committed to its end',
        async () => ((await committedToEnd(group, topic)) ? true : undefined),
        { timeoutMilliseconds: 120_000 },
      );
      const ends = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
      expect([...handledRecords(calls)].sort(), 'nothing lost').to.deep.equal(
        everyRecord(ends).sort(),
      );
      expect(
        new Set(calls.map((call) => call.consumer)),
        'both members handled records',
      ).to.deep.equal(new Set(['first', 'second']));
      expectKeyOrder(calls);
    } finally {
      await Promise.all([firstMember.stop(), secondMember.stop()]);
    }
  });
});
