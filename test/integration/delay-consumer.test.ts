import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { redeliveryTopic, RetryHeader, writeRetryContract } from '@ricochet/core';
import { createDelayConsumer, type DelayConsumerEvent } from '@ricochet/delay-consumer';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  sleep,
  testBrokers,
  testConnection,
  testLogger,
  testRetryContract,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { recreateTopics } from './pipeline-fixture.js';

const cliBin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

function header(record: { headers: Record<string, unknown> }, name: string): string | undefined {
  const value = record.headers[name];
  return value instanceof Buffer || typeof value === 'string' ? value.toString() : undefined;
}

/**
 * A delay consumer of `tier` (one partition, recreated empty) redelivering to a new target topic,
 * started and assigned, with its events and the target's records collected.
 */
async function startAssigned(
  tier: string,
  options: { readonly sessionTimeoutMilliseconds?: number } = {},
): Promise<{
  target: string;
  events: DelayConsumerEvent[];
  consumer: ReturnType<typeof createDelayConsumer>;
  arrived: Awaited<ReturnType<typeof collectTopic>>;
}> {
  const target = uniqueName('target');
  await recreateTopics([tier], 1);
  await createTestTopics([target], 1);
  const events: DelayConsumerEvent[] = [];
  const consumer = createDelayConsumer({
    ...testConnection(),
    tier,
    groupId: uniqueName('delay'),
    logger: testLogger('delay'),
    ...options,
    onEvent: (event) => events.push(event),
  });
  const arrived = await collectTopic(target);
  await consumer.start();
  try {
    await waitFor('the first assignment', () =>
      events.some((event) => event.type === 'assigned') ? true : undefined,
    );
  } catch (error) {
    await consumer.stop();
    await arrived.stop();
    throw error;
  }
  return { target, events, consumer, arrived };
}

describe('delay consumer (real broker)', function () {
  this.timeout(90_000);

  it('dead-letters every malformed tier record with a reason, and keeps serving the tier', async () => {
    const tier = 'retry-3500ms';
    const dlq = uniqueName('dlq');
    const target = uniqueName('target');
    const group = uniqueName('group');
    const groupTopic = redeliveryTopic(group);
    await recreateTopics([tier], 1);
    await createTestTopics([dlq, target, groupTopic], 1);
    const valid = writeRetryContract(testRetryContract(target, Date.now()));
    const redeliveredTo = (retryGroup: string, redeliverTo: string): Record<string, string> =>
      writeRetryContract(testRetryContract(target, Date.now(), { retryGroup, redeliverTo }));
    const without = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(valid).filter(([header]) => header !== name));
    const cases: Record<
      string,
      { headers: Record<string, string | Buffer | string[]>; reason: string }
    > = {
      'missing try_count': {
        headers: without(RetryHeader.tryCount),
        reason: 'malformed-retry-headers',
      },
      'missing original-topic': {
        headers: without(RetryHeader.originalTopic),
        reason: 'malformed-retry-headers',
      },
      'missing due-at': { headers: without(RetryHeader.dueAt), reason: 'malformed-retry-headers' },
      'missing retry-group': {
        headers: without(RetryHeader.retryGroup),
        reason: 'malformed-retry-headers',
      },
      'non-numeric due-at': {
        headers: { ...valid, [RetryHeader.dueAt]: 'soon' },
        reason: 'malformed-retry-headers',
      },
      'non-numeric try_count': {
        headers: { ...valid, [RetryHeader.tryCount]: 'three' },
        reason: 'malformed-retry-headers',
      },
      'negative try_count': {
        headers: { ...valid, [RetryHeader.tryCount]: '-1' },
        reason: 'malformed-retry-headers',
      },
      'non-UTF-8 original-topic': {
        headers: { ...valid, [RetryHeader.originalTopic]: Buffer.from([0xff, 0xfe]) },
        reason: 'malformed-retry-headers',
      },
      'duplicated due-at': {
        headers: { ...valid, [RetryHeader.dueAt]: ['1', '2'] },
        reason: 'malformed-retry-headers',
      },
      'missing original topic': {
        headers: writeRetryContract(testRetryContract(uniqueName('deleted'), Date.now())),
        reason: 'unknown-original-topic',
      },
      'internal original topic': {
        headers: writeRetryContract(testRetryContract('__consumer_offsets', Date.now())),
        reason: 'internal-original-topic',
      },
      'redeliver-to another topic': {
        headers: redeliveredTo(group, dlq),
        reason: 'redeliver-to-refused',
      },
      "redeliver-to another group's redelivery topic": {
        headers: redeliveredTo(uniqueName('other'), groupTopic),
        reason: 'redeliver-to-refused',
      },
      'redeliver-to not a topic name': {
        headers: { ...valid, [RetryHeader.redeliverTo]: 'has space' },
        reason: 'malformed-retry-headers',
      },
      'redeliver-to a redelivery topic that does not exist': {
        headers: redeliveredTo('no-such-group', redeliveryTopic('no-such-group')),
        reason: 'unknown-redelivery-topic',
      },
      'due-at years ahead': {
        headers: writeRetryContract(testRetryContract(target, Date.now() + 3 * 365 * 86_400_000)),
        reason: 'due-at-out-of-range',
      },
    };
    const deadLetters = await collectTopic(dlq);
    const arrived = await collectTopic(target);
    const arrivedOnGroupTopic = await collectTopic(groupTopic);
    const consumer = createDelayConsumer({
      ...testConnection(),
      tier,
      groupId: uniqueName('delay'),
      dlqTopic: dlq,
      logger: testLogger('delay'),
    });
    await consumer.start();
    try {
      await produceRecords(
        Object.entries(cases).map(([name, { headers }]) => ({
          topic: tier,
          key: Buffer.from(name),
          value: Buffer.from(name),
          headers,
        })),
      );
      // Valid records behind the malformed ones prove the partition is not stuck: one for the
      // original topic (redeliver-to absent or naming it), one for the group's redelivery topic.
      await produceRecords(
        [valid, redeliveredTo(group, target), redeliveredTo(group, groupTopic)].map((headers) => ({
          topic: tier,
          key: Buffer.from('valid'),
          value: Buffer.from('v'),
          headers,
        })),
      );
      await waitFor('every malformed record in the dead-letter topic', () =>
        deadLetters.records.length >= Object.keys(cases).length &&
        arrived.records.length === 2 &&
        arrivedOnGroupTopic.records.length === 1
          ? true
          : undefined,
      );
      for (const [name, { reason }] of Object.entries(cases)) {
        const found = deadLetters.records.filter((record) => record.key?.toString() === name);
        expect(found, name).to.have.length(1);
        expect(header(found[0]!, RetryHeader.deadLetterReason), name).to.equal(reason);
        expect(header(found[0]!, RetryHeader.deadLetterDetail), name)
          .to.be.a('string')
          .and.have.length.above(0);
      }
      expect(consumer.state).to.equal('running');
    } finally {
      await consumer.stop();
      await deadLetters.stop();
      await arrived.stop();
      await arrivedOnGroupTopic.stop();
    }
  });

  it('holds records for longer than the session timeout without being evicted from its group', async () => {
    const tier = 'retry-10s';
    const { target, events, consumer, arrived } = await startAssigned(tier, {
      sessionTimeoutMilliseconds: 6_000,
    });
    try {
      const dueAt = Date.now() + 9_000;
      await produceRecords([
        {
          topic: tier,
          key: null,
          value: Buffer.from('held'),
          headers: writeRetryContract(testRetryContract(target, dueAt)),
        },
      ]);
      await waitFor('the redelivery', () => arrived.records[0], { timeoutMilliseconds: 30_000 });
      expect(arrived.records[0]!.receivedAt).to.be.at.least(dueAt);
      const assignments = events.filter((event) => event.type === 'assigned');
      expect(
        assignments,
        'group (re)joins while holding for 9 s with a 6 s session timeout',
      ).to.have.length(1);
    } finally {
      await consumer.stop();
      await arrived.stop();
    }
  });

  it('reads a burst due within the read-ahead into memory without stopping for room: 4 MB of one partition, redelivered on time', async () => {
    const tier = 'retry-5s';
    const { target, events, consumer, arrived } = await startAssigned(tier);
    try {
      // About two seconds of one partition at 1,500 records/s of 1 KiB and their contract.
      const count = 3_000;
      const dueAt = Date.now() + 1_500;
      const value = Buffer.alloc(1_024, 'v');
      // In requests under the broker's limit on a batch (1 MiB).
      for (let first = 0; first < count; first += 500) {
        await produceRecords(
          Array.from({ length: 500 }, (_, index) => ({
            topic: tier,
            key: Buffer.from(`k${first + index}`),
            value,
            headers: writeRetryContract(testRetryContract(target, dueAt)),
          })),
        );
      }
      await waitFor(
        'every redelivery',
        () => (arrived.records.length >= count ? true : undefined),
        { timeoutMilliseconds: 30_000 },
      );
      expect(
        events.filter((event) => event.type === 'held'),
        'every record is due within the read-ahead: a hold could only be for room',
      ).to.deep.equal([]);
      expect(
        arrived.records.every((record) => record.receivedAt >= dueAt),
        'none early',
      ).to.equal(true);
    } finally {
      await consumer.stop();
      await arrived.stop();
    }
  });

  it('loses nothing when a delay service process is killed while it holds records', async () => {
    const tier = 'retry-4s';
    const target = uniqueName('target');
    const group = uniqueName('delay');
    await recreateTopics([tier], 2);
    await createTestTopics([target], 2);
    const arrived = await collectTopic(target);
    const startService = (): ChildProcess =>
      spawn(
        process.execPath,
        [
          cliBin,
          'run',
          'delay',
          '--tier',
          tier,
          '--group',
          group,
          '--brokers',
          testBrokers().join(','),
          '--log-level',
          'debug',
          '--session-timeout-ms',
          '6000',
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    const first = startService();
    let firstLog = '';
    first.stderr!.on('data', (chunk: Buffer) => (firstLog += chunk.toString()));
    try {
      await waitFor(
        'the first service to join',
        () => (firstLog.includes('partitions assigned') ? true : undefined),
        { timeoutMilliseconds: 30_000 },
      );
      const dueAt = Date.now() + 4_000;
      const count = 20;
      await produceRecords(
        Array.from({ length: count }, (_, index) => ({
          topic: tier,
          key: Buffer.from(`held-${index}`),
          value: Buffer.from(String(index)),
          headers: writeRetryContract(
            testRetryContract(target, dueAt, {
              original: {
                topic: target,
                partition: index % 2,
                offset: String(index),
                timestamp: Date.now(),
              },
            }),
          ),
        })),
      );
      await waitFor('the service to hold', () =>
        firstLog.includes('holding partition') ? true : undefined,
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      expect(arrived.records, 'nothing redelivered before the kill').to.have.length(0);

      const second = startService();
      try {
        await waitFor(
          'every held record to be redelivered by the new service',
          () => (arrived.records.length >= count ? true : undefined),
          {
            timeoutMilliseconds: 60_000,
          },
        );
        await sleep(500);
        const keys = new Set(arrived.records.map((record) => record.key?.toString()));
        expect(keys.size).to.equal(count);
        expect(Math.min(...arrived.records.map((record) => record.receivedAt))).to.be.at.least(
          dueAt,
        );
      } finally {
        second.kill('SIGTERM');
        await new Promise((resolve) => second.once('exit', resolve));
      }
    } finally {
      if (first.exitCode === null) {
        first.kill('SIGKILL');
      }
      await arrived.stop();
    }
  });
});
