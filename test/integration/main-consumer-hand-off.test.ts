import { expect } from 'chai';
import { RetryHeader } from '@ricochet/core';
import { createMainConsumer, type RecordOutcome } from '@ricochet/main-consumer';
import {
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { deleteTopicsIfPresent, recreateTopics } from './pipeline-fixture.js';

/** The main consumer queues a batch's failures and publishes them together (issue 7). */
describe('main consumer: failures handed on together (real broker)', function () {
  this.timeout(120_000);

  it('hands every failure of a batch on, in order, and reports and commits in offset order', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const tier = 'retry-1733ms';
    await recreateTopics([tier], 1);
    await createTestTopics([topic], 1);
    await produceRecords(
      Array.from({ length: 10 }, (_, index) => ({
        topic,
        key: Buffer.from(String(index)),
        value: Buffer.from(index % 2 === 1 ? 'fail' : 'ok'),
        headers: {},
      })),
    );
    const inTier = await collectTopic(tier);
    const outcomes: Array<{ offset: string; kind: RecordOutcome['kind'] }> = [];
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '1733ms',
      fromBeginning: true,
      logger: testLogger('main'),
      onOutcome: (outcome, record) => outcomes.push({ offset: record.offset, kind: outcome.kind }),
      handler: (record) => {
        if (record.value?.toString() === 'fail') {
          throw new Error('odd records fail');
        }
      },
    });
    await consumer.start();
    try {
      await waitFor('all ten committed', async () =>
        (await committedOffset(group, topic)) === '10' ? true : undefined,
      );
      await waitFor('five records in the tier', () =>
        inTier.records.length >= 5 ? true : undefined,
      );
      expect(inTier.records.map((record) => record.key?.toString())).to.deep.equal([
        '1',
        '3',
        '5',
        '7',
        '9',
      ]);
      expect(outcomes.map(({ offset }) => offset)).to.deep.equal(
        Array.from({ length: 10 }, (_, index) => String(index)),
      );
      expect(outcomes.filter(({ kind }) => kind === 'sent-to-tier')).to.have.length(5);
    } finally {
      await consumer.stop();
      await inTier.stop();
    }
  });

  it('commits and reports nothing past a failure not yet handed on, though later records succeeded', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const tier = 'retry-1747ms';
    await deleteTopicsIfPresent([tier]);
    await createTestTopics([topic], 1);
    await produceRecords(
      ['ok', 'fail', 'ok'].map((value, index) => ({
        topic,
        key: Buffer.from(String(index)),
        value: Buffer.from(value),
        headers: {},
      })),
    );
    const reported: string[] = [];
    const handled: string[] = [];
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '1747ms',
      fromBeginning: true,
      logger: testLogger('main'),
      onOutcome: (_outcome, record) => reported.push(record.offset),
      handler: (record) => {
        handled.push(record.offset);
        if (record.value?.toString() === 'fail') {
          throw new Error('fails while its tier is missing');
        }
      },
    });
    await consumer.start();
    try {
      // The publish fails once the producer's retries run out; what was handed on before it is
      // committed then, and the consumer starts over from there.
      await waitFor(
        'the record before the failure to be committed',
        async () => ((await committedOffset(group, topic)) === '1' ? true : undefined),
        { timeoutMilliseconds: 60_000 },
      );
      expect(handled, 'the record after the failure was handled').to.include('2');
      expect(reported, 'only the record before the failure was reported').to.deep.equal(['0']);
      await sleep(1_000);
      expect(await committedOffset(group, topic), 'still not past the failure').to.equal('1');
      await recreateTopics([tier], 1);
      const inTier = await collectTopic(tier);
      try {
        await waitFor('the failure in the tier', () => inTier.records[0], {
          timeoutMilliseconds: 60_000,
        });
        expect(inTier.records[0]?.headers[RetryHeader.tryCount]?.toString()).to.equal('1');
        await waitFor('everything committed once handed on', async () =>
          (await committedOffset(group, topic)) === '3' ? true : undefined,
        );
      } finally {
        await inTier.stop();
      }
    } finally {
      await consumer.stop();
    }
  });
});
