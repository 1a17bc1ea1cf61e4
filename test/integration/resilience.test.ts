import { expect } from 'chai';
import { RetryHeader, writeRetryContract } from '@ricochet/core';
import {
  createDelayConsumer,
  type DelayConsumer,
  type DelayConsumerEvent,
} from '@ricochet/delay-consumer';
import { createMainConsumer } from '@ricochet/main-consumer';
import {
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  testConnection,
  testLogger,
  testRetryContract,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { deleteTopicsIfPresent, recreateTopics } from './pipeline-fixture.js';

describe('resilience (real broker)', function () {
  this.timeout(120_000);

  it('redelivers every held record, none early, when a delay tier scales from 1 to 2 instances and back mid-hold', async () => {
    const tier = 'retry-9s';
    const target = uniqueName('target');
    const group = uniqueName('delay');
    await recreateTopics([tier], 4);
    await createTestTopics([target], 4);
    const arrived = await collectTopic(target);
    const eventsA: DelayConsumerEvent[] = [];
    const start = async (events: DelayConsumerEvent[]): Promise<DelayConsumer> => {
      const consumer = createDelayConsumer({
        ...testConnection(),
        tier,
        groupId: group,
        logger: testLogger('delay'),
        sessionTimeoutMilliseconds: 6_000,
        onEvent: (event) => events.push(event),
      });
      await consumer.start();
      return consumer;
    };
    const instanceA = await start(eventsA);
    let instanceB: DelayConsumer | undefined;
    try {
      await waitFor('A to be assigned', () =>
        eventsA.some((event) => event.type === 'assigned') ? true : undefined,
      );
      const dueAt = Date.now() + 9_000;
      const count = 40;
      await produceRecords(
        Array.from({ length: count }, (_, index) => ({
          topic: tier,
          partition: index % 4,
          key: Buffer.from(`r${index}`),
          value: null,
          headers: writeRetryContract(
            testRetryContract(target, dueAt, {
              original: {
                topic: target,
                partition: index % 4,
                offset: String(index),
                timestamp: Date.now(),
              },
            }),
          ),
        })),
      );
      await waitFor('A to hold all four partitions', () =>
        instanceA.heldPartitions.length === 4 ? true : undefined,
      );
      const eventsB: DelayConsumerEvent[] = [];
      instanceB = await start(eventsB);
      await waitFor('B to hold what it was given', () =>
        eventsB.some((event) => event.type === 'held') ? true : undefined,
      );
      expect(instanceA.heldPartitions.length, 'A gave up the revoked partitions').to.be.below(4);
      await instanceB.stop();
      await waitFor(
        'A to hold all four again',
        () => (instanceA.heldPartitions.length === 4 ? true : undefined),
        {
          timeoutMilliseconds: 20_000,
        },
      );
      expect(Date.now(), 'the scale-down happened before the records were due').to.be.below(dueAt);
      await waitFor(
        'every record redelivered',
        () => (arrived.records.length >= count ? true : undefined),
        {
          timeoutMilliseconds: 30_000,
        },
      );
      await sleep(500);
      expect(new Set(arrived.records.map((record) => record.key?.toString())).size).to.equal(count);
      expect(Math.min(...arrived.records.map((record) => record.receivedAt))).to.be.at.least(dueAt);
    } finally {
      await instanceB?.stop();
      await instanceA.stop();
      await arrived.stop();
    }
  });

  it('never commits past a failed record whose tier topic cannot take it, and hands it on once it can', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const tier = 'retry-1700ms';
    const dlq = uniqueName('dlq');
    await deleteTopicsIfPresent([tier]);
    await createTestTopics([topic, dlq], 1);
    let calls = 0;
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '1700ms',
      dlqTopic: dlq,
      fromBeginning: true,
      logger: testLogger('main'),
      handler: () => {
        calls += 1;
        throw new Error('always fails');
      },
    });
    await consumer.start();
    try {
      await produceRecords([
        { topic, key: Buffer.from('stuck'), value: Buffer.from('v'), headers: {} },
      ]);
      await waitFor('the handler to fail', () => (calls > 0 ? true : undefined));
      await sleep(3_000);
      // Offset 0 is the crash guard's mark before the record (the next to read is still it).
      expect(
        await committedOffset(group, topic),
        'nothing committed past the record while the tier is missing',
      ).to.be.oneOf([undefined, '-1', '0']);
      await recreateTopics([tier], 1);
      const inTier = await collectTopic(tier);
      try {
        const [handedOn] = await waitFor(
          'the record in the tier',
          () => inTier.records[0] && inTier.records,
          {
            timeoutMilliseconds: 60_000,
          },
        );
        expect(handedOn!.headers[RetryHeader.tryCount]?.toString()).to.equal('1');
        await waitFor('the source offset committed after the hand-off', async () =>
          (await committedOffset(group, topic)) === '1' ? true : undefined,
        );
      } finally {
        await inTier.stop();
      }
    } finally {
      await consumer.stop();
    }
  });
});
