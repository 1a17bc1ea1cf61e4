import { expect } from 'chai';
import { RetryHeader, tierTopicName } from '@ricochet/core';
import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createMainConsumer } from '@ricochet/main-consumer';
import {
  collectTopic,
  produceRecords,
  runCliCaptured,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { deleteTopicsIfPresent } from './topology-fixtures.js';

interface StatusJson {
  keys: { keyText: string; blockerOffset: string | null; followers: number }[];
}

/**
 * The operator's tools against a running key-strict main consumer: topics from `ricochet topology
 * create --group`, the blocked key seen by `ricochet order status`, released by `ricochet order
 * release`.
 */
describe('ricochet order against a key-strict main consumer (real broker)', function () {
  this.timeout(120_000);
  const stops: (() => Promise<void>)[] = [];

  afterEach(async () => {
    // Last started, first stopped: the topics go once nothing uses them.
    for (const stop of stops.splice(0).reverse()) {
      await stop();
    }
  });

  it('shows the key blocked with its followers, and releases it', async () => {
    const group = uniqueName('order-e2e');
    const source = uniqueName('order-e2e-source');
    const deadLetterTopic = uniqueName('order-e2e-dlq');
    // A tier delay no other test uses; no delay service runs on it until the release.
    const delay = 1_900 + Math.floor(Math.random() * 90) * 2 + 1;
    const tier = tierTopicName(delay);
    const brokers = ['--brokers', testBrokers().join(',')];
    const topicFlags = [...brokers, '--tiers', `${delay}ms`, '--dlq', deadLetterTopic];
    const created = await runCliCaptured([
      'topology',
      'create',
      ...topicFlags,
      '--topic',
      source,
      '--group',
      group,
      '--partitions',
      '1',
    ]);
    expect(created.code, created.stderr).to.equal(0);
    stops.push(() =>
      deleteTopicsIfPresent([
        tier,
        deadLetterTopic,
        source,
        `ricochet.${group}.blocked-keys`,
        `ricochet.${group}.waiting`,
        `ricochet.${group}.redelivery`,
      ]),
    );

    const handled: string[] = [];
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [source],
      tiers: `${delay}ms`,
      dlqTopic: deadLetterTopic,
      logger: testLogger('main'),
      fromBeginning: true,
      ordering: 'key-strict',
      sessionTimeoutMilliseconds: 6_000,
      handler: (record) => {
        const value = record.rawValue?.toString() ?? '';
        if (value === 'K-0') {
          throw new Error('K-0 fails');
        }
        handled.push(value);
      },
    });
    await consumer.start();
    stops.push(() => consumer.stop());
    const deadLetters = await collectTopic(deadLetterTopic);
    stops.push(() => deadLetters.stop());

    await produceRecords(
      ['K-0', 'K-1', 'K-2', 'other'].map((value) => ({
        topic: source,
        key: Buffer.from(value === 'other' ? 'other' : 'K'),
        value: Buffer.from(value),
        headers: {},
      })),
    );
    await waitFor('the other key to be handled', () =>
      handled.includes('other') ? true : undefined,
    );

    const status = await waitFor('K and its two followers in the status', async () => {
      const run = await runCliCaptured(['order', 'status', ...brokers, '--group', group, '--json']);
      const parsed = JSON.parse(run.stdout) as StatusJson;
      return parsed.keys[0]?.followers === 2 ? parsed : undefined;
    });
    expect(status.keys).to.have.length(1);
    expect(status.keys[0]).to.include({ keyText: '"K"', blockerOffset: '0', followers: 2 });
    expect(handled).to.deep.equal(['other']);

    const release = await runCliCaptured([
      'order',
      'release',
      ...brokers,
      '--group',
      group,
      '--topic',
      source,
      '--partition',
      '0',
      '--key',
      'K',
    ]);
    expect(release.code, release.stderr).to.equal(0);
    await waitFor('the followers to be handled, in order', () =>
      handled.includes('K-2') ? true : undefined,
    );
    expect(handled).to.deep.equal(['other', 'K-1', 'K-2']);

    // The blocker comes back from its tier only now, and is dead-lettered, not handled.
    const delayConsumer = createDelayConsumer({
      ...testConnection(),
      tier,
      groupId: uniqueName('order-e2e-delay'),
      dlqTopic: deadLetterTopic,
      logger: testLogger('delay'),
    });
    await delayConsumer.start();
    stops.push(() => delayConsumer.stop());
    const dead = await waitFor('the released blocker in the dead-letter topic', () =>
      deadLetters.records.find((each) => each.value?.toString() === 'K-0'),
    );
    expect(dead.headers[RetryHeader.deadLetterReason]?.toString()).to.equal('released-by-operator');
    const after = await waitFor('no blocked keys', async () => {
      const run = await runCliCaptured(['order', 'status', ...brokers, '--group', group]);
      return run.stdout.startsWith('no blocked keys') ? run : undefined;
    });
    expect(after.code).to.equal(0);
  });
});
