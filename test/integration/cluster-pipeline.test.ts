import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { NonRetryableError } from '@ricochet/core';
import { createDelayConsumer, type DelayConsumer } from '@ricochet/delay-consumer';
import { createDlqArchiver, type DlqArchiver } from '@ricochet/dlq-archiver';
import { createReliableProducer } from '@ricochet/kafka';
import { createMainConsumer, type MainConsumer } from '@ricochet/main-consumer';
import { testLogger, uniqueName, waitFor, withAdmin } from '@ricochet/testing';
import { useLocalCluster } from './cluster-fixture.js';
import { ricochet } from './topology-fixtures.js';

/** A fresh cluster of its own: the tier topics' fixed names collide with nobody. */
const tiers = '1s,2s';
const tierTopics = ['retry-1s', 'retry-2s'];

/**
 * The services on three brokers, topics at replication factor 3 and min.insync.replicas 2 as
 * `ricochet topology create` makes them: a record goes through a tier and another to the
 * dead-letter topic and the archive while the broker leading the first tier's partition is
 * killed.
 */
describe('the pipeline on a three-broker cluster (integration)', function () {
  this.timeout(120_000);
  const localCluster = useLocalCluster();

  it('creates RF 3 / min ISR 2 topics and passes records through a tier and to the archive while a broker is killed', async () => {
    const cluster = localCluster();
    const source = uniqueName('orders');
    const dlqTopic = uniqueName('dlq');
    const created = await ricochet([
      'topology',
      'create',
      '--brokers',
      cluster.brokers.join(','),
      '--tiers',
      tiers,
      '--dlq',
      dlqTopic,
      '--topic',
      source,
      '--replication-factor',
      '3',
      '--min-insync-replicas',
      '2',
    ]);
    expect(created.exitCode, created.stderr).to.equal(0);
    await withAdmin(async (admin) => {
      const described = await admin.describeTopics([source, dlqTopic, ...tierTopics]);
      for (const { name, partitions } of described) {
        for (const { replicas } of partitions) {
          expect(replicas, name).to.have.length(3);
        }
      }
      const configs = await admin.describeConfigs(
        [dlqTopic, ...tierTopics].map((name) => ({
          type: 'topic' as const,
          name,
          configNames: ['min.insync.replicas'],
        })),
      );
      for (const { name, entries } of configs) {
        expect(entries.find((entry) => entry.name === 'min.insync.replicas')?.value, name).to.equal(
          '2',
        );
      }
    }, cluster.client());

    const store: ArchiveStore = await openArchiveStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-cluster-')), 'dlq.db')}`,
      { logger: testLogger('archive') },
    );
    const delayConsumers: DelayConsumer[] = tierTopics.map((tier) =>
      createDelayConsumer({
        brokers: cluster.brokers,
        tier,
        groupId: uniqueName(`delay-${tier}`),
        dlqTopic,
        logger: testLogger('delay'),
      }),
    );
    const archiver: DlqArchiver = createDlqArchiver({
      brokers: cluster.brokers,
      dlqTopic,
      groupId: uniqueName('archiver'),
      store,
      logger: testLogger('dlq'),
      searchableText: async () => null,
      sessionTimeoutMilliseconds: 10_000,
    });
    const calls = new Map<string, number>();
    const succeeded = new Set<string>();
    const main: MainConsumer<Buffer | null> = createMainConsumer({
      brokers: cluster.brokers,
      groupId: uniqueName('group'),
      topics: [source],
      tiers,
      dlqTopic,
      logger: testLogger('main'),
      fromBeginning: true,
      sessionTimeoutMilliseconds: 10_000,
      handler: (record) => {
        const key = record.key?.toString() ?? '';
        const call = (calls.get(key) ?? 0) + 1;
        calls.set(key, call);
        if (key === 'poison') {
          throw new NonRetryableError('never valid');
        }
        if (call === 1) {
          throw new Error('fails once');
        }
        succeeded.add(key);
      },
    });
    await Promise.all([...delayConsumers.map((consumer) => consumer.start()), archiver.start()]);
    await main.start();
    try {
      // The records are published first, then the leader of the first tier's partition dies:
      // the main consumer's hand-offs to that tier meet the dead leader (this test's own
      // producer is not what is under test, and a bare one fails while the broker is fenced).
      const victim = await cluster.leaderOf(tierTopics[0]!, 0);
      const producer = createReliableProducer(cluster.client('ricochet-cluster-source'));
      await producer.connect();
      try {
        await producer.publishAcknowledged(
          ['once-a', 'once-b', 'once-c', 'poison'].map((key) => ({
            topic: source,
            key: Buffer.from(key),
            value: Buffer.from(key),
            headers: {},
          })),
        );
      } finally {
        await producer.disconnect();
      }
      await cluster.killBroker(victim);
      await waitFor(
        'the retried records to succeed and the poison one to be archived',
        async () =>
          succeeded.size === 3 && (await store.stats({}, 'day')).total >= 1 ? true : undefined,
        { timeoutMilliseconds: 60_000 },
      );
      // At least once: a hand-off or commit that met the dead leader may run a record again.
      for (const key of ['once-a', 'once-b', 'once-c']) {
        expect(calls.get(key), key).to.be.at.least(2);
      }
      expect(calls.get('poison'), 'poison').to.be.at.least(1);
    } finally {
      await main.stop();
      await Promise.all([...delayConsumers.map((consumer) => consumer.stop()), archiver.stop()]);
      await store.close();
    }
  });
});
