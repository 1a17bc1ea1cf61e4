// Redelivery 'group' against the real broker: the redelivery topic's start-up check, and a
// kill -9 of the main consumer process with retries waiting on, then running from, that topic.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { redeliveryGroup, redeliveryTopic, RetryHeader } from '@ricochet/core';
import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createMainConsumer, RedeliveryTopicMissingError } from '@ricochet/main-consumer';
import {
  closedLocalPort,
  collectTopic,
  committedOffsets,
  produceRecords,
  runCliCaptured,
  sleep,
  startFailureCause,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { ledgerCalls, newLedger, startHandlerService } from './handler-service.js';
import { deleteTopicsIfPresent } from './pipeline-fixture.js';

const handler = fileURLToPath(
  new URL('../fixtures/fail-once-slow-retry-handler.mjs', import.meta.url),
);

describe("redelivery 'group' (real broker)", function () {
  this.timeout(180_000);

  it('refuses to start without the group redelivery topic, naming the command that creates it', async () => {
    const group = uniqueName('group');
    const consumer = createMainConsumer({
      ...testConnection(),
      groupId: group,
      topics: [uniqueName('orders')],
      redelivery: 'group',
      logger: testLogger('main'),
      handler: () => {},
    });
    const cause = await startFailureCause(consumer.start());
    expect(cause).to.be.instanceOf(RedeliveryTopicMissingError);
    expect((cause as Error).message).to.include(redeliveryTopic(group));
    expect((cause as Error).message).to.include(`ricochet topology create --group ${group}`);
  });

  it('loses nothing when the main consumer is killed -9 with retries waiting on its redelivery topic, and again while handling them', async () => {
    const tiers = '2500ms';
    const tier = 'retry-2500ms';
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const dlq = uniqueName('dlq');
    const groupTopic = redeliveryTopic(group);
    // The topics as operators make them: the group's redelivery topic comes with --group.
    await deleteTopicsIfPresent([tier]);
    const topologyFlags = [
      '--brokers',
      testBrokers().join(','),
      '--tiers',
      tiers,
      '--dlq',
      dlq,
      '--topic',
      topic,
      '--group',
      group,
      '--partitions',
      '2',
    ];
    const created = await runCliCaptured(['topology', 'create', ...topologyFlags]);
    expect(created.code, created.stderr).to.equal(0);
    const verified = await runCliCaptured(['topology', 'verify', ...topologyFlags]);
    expect(verified.code, verified.stdout + verified.stderr).to.equal(0);
    expect(verified.stdout + verified.stderr).to.include(groupTopic);
    const delay = createDelayConsumer({
      ...testConnection(),
      tier,
      groupId: uniqueName('delay'),
      dlqTopic: dlq,
      logger: testLogger('delay'),
    });
    await delay.start();
    const inTier = await collectTopic(tier);
    const waiting = await collectTopic(groupTopic);
    const deadLetters = await collectTopic(dlq);
    const ledger = newLedger();
    const port = await closedLocalPort();
    // Not from the beginning: the redelivery topic must be read from its beginning all the same
    // when the group has no offset there (the first process dies before it commits any).
    const start = () =>
      startHandlerService({
        handler,
        topic,
        group,
        tiers,
        dlq,
        ledger,
        fromBeginning: false,
        extra: [
          '--redelivery',
          'group',
          '--max-in-flight',
          '4',
          '--session-timeout-ms',
          '6000',
          '--http-port',
          String(port),
        ],
      });
    const services = [start()];
    try {
      await waitFor('the first process to be assigned its partitions', async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      });
      // The fetch positions of a group with no offsets are looked up just after the join.
      await sleep(1_000);
      const count = 40;
      const keys = Array.from({ length: count }, (_, index) => `r${index}`);
      await produceRecords(
        keys.map((key, index) => ({
          topic,
          partition: index % 2,
          key: Buffer.from(key),
          value: Buffer.from('100'),
          headers: {},
        })),
      );
      // Every first try failed and was handed to the tier: the retries are not due yet.
      await waitFor('every first try in the tier', () =>
        new Set(inTier.records.map((record) => record.key?.toString())).size === count
          ? true
          : undefined,
      );
      services[0]!.service.child.kill('SIGKILL');
      await services[0]!.service.exited;
      await waitFor(
        'every retry waiting on the redelivery topic, with no main consumer running',
        () =>
          new Set(waiting.records.map((record) => record.key?.toString())).size === count
            ? true
            : undefined,
        { timeoutMilliseconds: 30_000 },
      );
      expect(ledgerCalls(ledger), 'nothing handled while no consumer ran').to.deep.equal([]);
      expect(
        waiting.records.every(
          (record) => record.headers[RetryHeader.redeliverTo]?.toString() === groupTopic,
        ),
      ).to.equal(true);

      services.push(start());
      await waitFor(
        'some retries handled by the second process',
        () => (ledgerCalls(ledger).length >= 8 ? true : undefined),
        { timeoutMilliseconds: 60_000 },
      );
      services[1]!.service.child.kill('SIGKILL');
      await services[1]!.service.exited;
      const beforeSecondKill = new Set(ledgerCalls(ledger)).size;
      expect(beforeSecondKill, 'killed while retries remained').to.be.below(count);

      services.push(start());
      await waitFor(
        'every record to succeed on its retry',
        () => (new Set(ledgerCalls(ledger)).size === count ? true : undefined),
        { timeoutMilliseconds: 90_000 },
      );
      expect(new Set(ledgerCalls(ledger))).to.deep.equal(new Set(keys));
      expect(deadLetters.records, 'nothing dead-lettered').to.deep.equal([]);
      // The redelivery reader's commits reach the end of the topic, as of any consumed partition.
      await waitFor('the redelivery topic committed to its end', async () => {
        const committed = await committedOffsets(redeliveryGroup(group), groupTopic);
        const total = [...committed.values()].reduce(
          (sum, { offset }) => sum + Number(offset ?? 0),
          0,
        );
        return total === waiting.records.length ? true : undefined;
      });
      expect(await services[2]!.service.stop(), services[2]!.service.log()).to.equal(0);
      process.stderr.write(
        `      ${count} records: ${ledgerCalls(ledger).length} successful retry calls (${beforeSecondKill} before the second kill)\n`,
      );
    } finally {
      for (const { service } of services) {
        service.kill();
      }
      await delay.stop();
      await inTier.stop();
      await waiting.stop();
      await deadLetters.stop();
    }
  });
});
