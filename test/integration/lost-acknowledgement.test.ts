import { expect } from 'chai';
import { createKafkaClient, ReliablePublisher } from '@ricochet/kafka';
import {
  collectTopic,
  committedOffset,
  committedOffsets,
  createTestTopics,
  offsetCommitApiKey,
  produceRecords,
  produceApiKey,
  sleep,
  spawnCli,
  type CliProcess,
  type FaultProxy,
  testRetryContract,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import {
  decodeCommitMetadata,
  readHeaderText,
  RetryHeader,
  writeRetryContract,
  type OutgoingRecord,
} from '@ricochet/core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveStore } from '@ricochet/archive';
import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import { fileURLToPath } from 'node:url';
import { createMainConsumer } from '@ricochet/main-consumer';
import {
  endOutageOnceFailed,
  outageMilliseconds,
  reported,
  useProxiedBroker,
} from './lost-acknowledgement-fixture.js';

/** How long a service may take to give up on publishes that keep failing. */
const longestCutMilliseconds = 40_000;

/** Tier records due now, to be redelivered to `target`. */
function dueRecords(tier: string, target: string, keys: readonly string[]): OutgoingRecord[] {
  const headers = writeRetryContract(testRetryContract(target, Date.now()));
  return keys.map((key) => ({
    topic: tier,
    key: Buffer.from(key),
    value: Buffer.from(key),
    headers,
  }));
}

/** Whether every key arrived. */
function allArrived(
  arrived: readonly { key: Buffer | null }[],
  keys: readonly string[],
): true | undefined {
  return keys.every((key) => arrived.some((record) => record.key?.toString() === key))
    ? true
    : undefined;
}

/**
 * Polls the service's /readyz until it exits: it must exit 1 for failing publishes before the
 * cut ends, not ready from its first failed publish on (ready before, while the client retried).
 */
async function expectGivesUpWhileCut(
  service: CliProcess,
  httpPort: number,
  cutEnds: number,
): Promise<void> {
  const answers: number[] = [];
  let exited: number | null | undefined;
  void service.exited.then((code) => {
    exited = code;
  });
  while (exited === undefined) {
    answers.push(
      await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
        (response) => response.status,
        () => 0,
      ),
    );
    await sleep(250);
  }
  expect(exited, service.log()).to.equal(1);
  expect(Date.now(), 'it exited while publishes were still cut off').to.be.below(cutEnds);
  expect(service.log()).to.contain('publishing kept failing');
  const answered = answers.filter((status) => status !== 0);
  expect(answered.at(-1), answers.join(' ')).to.equal(503);
  expect(answered.slice(answered.lastIndexOf(200) + 1).length, answers.join(' ')).to.be.above(4);
}

/**
 * Runs `ricochet <args>` (HTTP on `httpPort`) while `proxy` cuts publishes off: it must give up
 * (expectGivesUpWhileCut). Then `whileDown`; then the cut ends and it is started again, as a
 * supervisor would, and must get `done` and then stop cleanly on SIGTERM.
 */
async function giveUpThenRestart(
  args: readonly string[],
  httpPort: number,
  proxy: FaultProxy,
  steps: {
    whileDown: () => Promise<void>;
    done: () => Promise<true | undefined> | true | undefined;
  },
): Promise<void> {
  // The cut ends as soon as the service has given up (its client's own retries, then
  // --publish-timeout-ms: about 25 s), not at a fixed time: the bound is for one that never does.
  const cutEnds = Date.now() + longestCutMilliseconds;
  proxy.cutRequests(produceApiKey, longestCutMilliseconds);
  const first = spawnCli(args);
  let restarted: CliProcess | undefined;
  try {
    await expectGivesUpWhileCut(first, httpPort, cutEnds);
    await steps.whileDown();
    proxy.endCut();
    restarted = spawnCli(args);
    await waitFor('the restarted service to hand everything on', steps.done, {
      timeoutMilliseconds: 60_000,
    });
    expect(await restarted.stop(), restarted.log()).to.equal(0);
  } finally {
    first.kill();
    restarted?.kill();
  }
}

/**
 * `ricochet run main` through the proxy, with the order handler: it rejects every record
 * starting with "poison" as non-retryable, so each is a dead-letter hand-off. The session timeout
 * is the shortest: a next owner's join waits for the member before it to expire.
 */
function orderServiceArgs(
  names: { readonly topic: string; readonly group: string; readonly dlq: string },
  brokers: readonly string[],
  extra: readonly string[],
): string[] {
  return [
    'run',
    'main',
    '--max-wait-ms',
    String(testMaxWaitMilliseconds),
    '--topic',
    names.topic,
    '--group',
    names.group,
    '--handler',
    fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url)),
    '--dlq',
    names.dlq,
    '--from-beginning',
    '--brokers',
    brokers.join(','),
    '--session-timeout-ms',
    '6000',
    ...extra,
  ];
}

function records(topic: string, keys: readonly string[]): OutgoingRecord[] {
  return keys.map((key) => ({
    topic,
    key: Buffer.from(key),
    value: Buffer.from(key),
    headers: {},
  }));
}

/**
 * Issue 11: a publish written by the broker whose acknowledgement was lost, with the broker then
 * unreachable for longer than the producer's retries. kafkajs rolls the idempotent producer's
 * sequence numbers back; a publisher that kept that producer lost the next publish of the same
 * record count (taken for a duplicate) or failed every later one (out of order).
 */
describe('lost acknowledgement (real broker behind a fault proxy)', function () {
  this.timeout(180_000);
  const broker = useProxiedBroker('lost-acknowledgement');

  for (const [label, nextKeys] of [
    ['the same record count (once taken for a duplicate and dropped)', ['c', 'd']],
    ['another record count (once refused as out of order for good)', ['c', 'd', 'e']],
  ] as const) {
    it(`publishes the next records after a lost acknowledgement: ${label}`, async () => {
      const topic = uniqueName('lost-ack');
      await createTestTopics([topic], 1);
      const publisher = new ReliablePublisher(
        createKafkaClient({ brokers: broker().proxied, logger: testLogger('kafka') }),
        testLogger('publisher'),
      );
      await publisher.connect();
      const written = await collectTopic(topic);
      try {
        const lost = broker().proxy.loseNextResponse(produceApiKey, outageMilliseconds);
        const failed = publisher.publish(records(topic, ['a', 'b'])).then(
          () => 'acknowledged',
          () => 'failed',
        );
        await lost;
        expect(await failed).to.equal('failed');
        expect(publisher.health.failingSince).to.be.a('number');
        // The publish failed for real (the client's retries ran out): the rest of the outage
        // would prove nothing more.
        await broker().proxy.endOutage();
        await publisher.publish(records(topic, nextKeys));
        expect(publisher.health.failingSince).to.equal(undefined);
        await waitFor('the next records to be written', () =>
          nextKeys.every((key) => written.records.some((record) => record.key?.toString() === key))
            ? true
            : undefined,
        );
        // The lost acknowledgement's records were written: the broker wrote them before the loss.
        expect(written.records.map((record) => record.key?.toString())).to.include.members([
          'a',
          'b',
        ]);
      } finally {
        await written.stop();
        await publisher.disconnect();
      }
    });
  }

  it('main consumer: hands on every failed record after a lost acknowledgement, none committed past unpublished', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const tier = 'retry-1811ms';
    const dlq = uniqueName('dlq');
    await createTestTopics([topic, tier, dlq], 1);
    const attempts = new Map<string, number>();
    // a and b fail once, so their redelivery publishes nothing; c and d always fail, so the first
    // publish after the outage carries as many records (two) as the one whose acknowledgement
    // was lost: with the old producer the broker took it for that one again and dropped it.
    const alwaysFails = new Set(['c', 'd']);
    const publishFailed = reported('publish-failed');
    const consumer = createMainConsumer({
      onEvent: publishFailed.onEvent,
      brokers: broker().proxied,
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      tiers: '1811ms',
      dlqTopic: dlq,
      fromBeginning: true,
      sessionTimeoutMilliseconds: 10_000,
      logger: testLogger('main'),
      handler: (record) => {
        const key = record.key?.toString() ?? '';
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        if (attempt === 1 || alwaysFails.has(key)) {
          throw new Error(`${key} fails (attempt ${attempt})`);
        }
      },
    });
    const inTier = await collectTopic(tier);
    const lost = broker().proxy.loseNextResponse(produceApiKey, outageMilliseconds);
    await produceRecords(records(topic, ['a', 'b']));
    await consumer.start();
    try {
      await lost;
      const lostAt = Date.now();
      await produceRecords(records(topic, ['c', 'd']));
      await endOutageOnceFailed(broker().proxy, lostAt, publishFailed.seen);
      await waitFor(
        'all four records committed',
        async () => ((await committedOffset(group, topic)) === '4' ? true : undefined),
        { timeoutMilliseconds: 120_000 },
      );
      await waitFor(
        'c and d in the tier',
        () =>
          ['c', 'd'].every((key) => inTier.records.some((record) => record.key?.toString() === key))
            ? true
            : undefined,
        { timeoutMilliseconds: 10_000 },
      );
      expect(consumer.state).to.equal('running');
    } finally {
      await consumer.stop();
      await inTier.stop();
    }
  });

  it('delay consumer: redelivers every record after a lost acknowledgement, though the next publish carries more', async () => {
    const tier = 'retry-1823ms';
    const target = uniqueName('target');
    const dlq = uniqueName('dlq');
    await createTestTopics([tier, target, dlq], 1);
    const publishFailed = reported('publish-failed');
    const consumer = createDelayConsumer({
      onEvent: publishFailed.onEvent,
      brokers: broker().proxied,
      tier,
      groupId: uniqueName('delay'),
      dlqTopic: dlq,
      sessionTimeoutMilliseconds: 10_000,
      logger: testLogger('delay'),
    });
    const arrived = await collectTopic(target);
    const lost = broker().proxy.loseNextResponse(produceApiKey, outageMilliseconds);
    await produceRecords(dueRecords(tier, target, ['a', 'b']));
    await consumer.start();
    const reasons = new Set<string>();
    let watchReadiness: NodeJS.Timeout | undefined;
    try {
      await lost;
      const lostAt = Date.now();
      watchReadiness = setInterval(() => {
        const { ready, reason } = consumer.readiness();
        reasons.add(ready ? 'ready' : (reason ?? 'not ready'));
      }, 200);
      // The next publish carries five records, not two: with the old producer every publish
      // after the outage was refused as out of order, for good, while the service stayed ready.
      await produceRecords(dueRecords(tier, target, ['c', 'd', 'e']));
      // The outage lasts until the publish failed and the service said it was not ready.
      await endOutageOnceFailed(
        broker().proxy,
        lostAt,
        () => publishFailed.seen() && [...reasons].some((reason) => reason !== 'ready'),
      );
      await waitFor(
        'all five redelivered',
        () => allArrived(arrived.records, ['a', 'b', 'c', 'd', 'e']),
        {
          timeoutMilliseconds: 90_000,
        },
      );
      await waitFor('ready again', () => (consumer.readiness().ready ? true : undefined));
      // Not ready while it could not publish (here its consumer also lost the broker).
      expect([...reasons].some((reason) => reason !== 'ready')).to.equal(
        true,
        [...reasons].join('; '),
      );
    } finally {
      clearInterval(watchReadiness);
      await consumer.stop();
      await arrived.stop();
    }
  });

  it('delay service: publishes failing for longer than --publish-timeout-ms make it not ready, then exit 1; a restart redelivers everything', async () => {
    const tier = 'retry-1831ms';
    const target = uniqueName('target');
    await createTestTopics([tier, target, 'dlq'], 1);
    const httpPort = 29345;
    const args = [
      'run',
      'delay',
      '--tier',
      tier,
      '--brokers',
      broker().proxied.join(','),
      '--group',
      uniqueName('delay'),
      '--http-port',
      String(httpPort),
      // The shortest: the restarted service's join waits for the member that gave up to expire.
      '--session-timeout-ms',
      '6000',
      '--publish-timeout-ms',
      '5000',
    ];
    const arrived = await collectTopic(target);
    await produceRecords(dueRecords(tier, target, ['a', 'b']));
    try {
      await giveUpThenRestart(args, httpPort, broker().proxy, {
        whileDown: () => produceRecords(dueRecords(tier, target, ['c', 'd', 'e'])),
        done: () => allArrived(arrived.records, ['a', 'b', 'c', 'd', 'e']),
      });
    } finally {
      await arrived.stop();
    }
  });

  it('main service: publishes failing for longer than --publish-timeout-ms make it not ready, then exit 1; a restart hands everything on', async () => {
    const topic = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    await createTestTopics([topic, dlq], 1);
    const httpPort = 29346;
    const args = orderServiceArgs({ topic, group, dlq }, broker().proxied, [
      '--http-port',
      String(httpPort),
      '--publish-timeout-ms',
      '5000',
    ]);
    const deadLetters = await collectTopic(dlq);
    await produceRecords(records(topic, ['poison-a', 'poison-b']));
    try {
      await giveUpThenRestart(args, httpPort, broker().proxy, {
        whileDown: async () => {
          // '0' is the crash guard's mark before the first record: a commit at it, not past it.
          expect(await committedOffset(group, topic)).to.be.oneOf([undefined, '-1', '0']);
        },
        done: async () =>
          allArrived(deadLetters.records, ['poison-a', 'poison-b']) &&
          (await committedOffset(group, topic)) === '2'
            ? true
            : undefined,
      });
    } finally {
      await deadLetters.stop();
    }
  });

  // Chaos run, CI profile, seed 372796419: a slow record handled carefully (its previous owner
  // was killed) timed out, and its hand-off hung through a broker outage until the process was
  // killed, twice; its mark still stood, so the next owner dead-lettered it as handler-crashed.
  it('main service: a careful record whose hand-off cannot be published is not blamed for a kill while it waits', async () => {
    const topic = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    await createTestTopics([topic, dlq], 1);
    const args = (maxHandlerCrashes: number): string[] =>
      orderServiceArgs({ topic, group, dlq }, broker().proxied, [
        '--http-port',
        '0',
        '--publish-timeout-ms',
        '3000',
        '--max-handler-crashes',
        String(maxHandlerCrashes),
      ]);
    const deadLetters = await collectTopic(dlq);
    await produceRecords(records(topic, ['poison-a']));
    const { proxy } = broker();
    proxy.cutRequests(produceApiKey, longestCutMilliseconds);
    const services: CliProcess[] = [];
    try {
      // An owner killed with the record in hand leaves its crash guard: the next one is careful.
      const killed = spawnCli(args(1));
      services.push(killed);
      await waitFor(
        'the first owner to write its crash guard',
        async () =>
          decodeCommitMetadata((await committedOffsets(group, topic)).get(0)?.metadata ?? undefined)
            ?.guard,
      );
      // The handler call follows the guard at once; the hand-off then waits on the cut.
      await sleep(1_000);
      killed.child.kill('SIGKILL');
      await killed.exited;
      // The careful owner marks the record, calls the handler, and then cannot hand it on; it is
      // killed while it waits (a clean exit would commit without the mark).
      const careful = spawnCli(args(1));
      services.push(careful);
      await waitFor('the careful owner to take the partition over', () =>
        careful.log().includes('one commit at a time') ? true : undefined,
      );
      // It marks the record and calls the handler at once; the hand-off then waits on the cut.
      await sleep(2_000);
      careful.child.kill('SIGKILL');
      await careful.exited;
      proxy.endCut();
      // With one crash allowed, a mark left standing would have it dead-lettered unhandled.
      const next = spawnCli(args(1));
      services.push(next);
      const deadLetter = await waitFor('the dead letter', () => deadLetters.records[0], {
        timeoutMilliseconds: 60_000,
      });
      expect(readHeaderText(deadLetter.headers, RetryHeader.deadLetterReason), next.log()).to.equal(
        'non-retryable-error',
      );
      expect(await next.stop(), next.log()).to.equal(0);
    } finally {
      proxy.endCut();
      for (const service of services) {
        service.kill();
      }
      await deadLetters.stop();
    }
  });

  it('archiver: archives every dead letter once after a lost commit acknowledgement', async () => {
    const dlq = uniqueName('dlq');
    const group = uniqueName('archiver');
    await createTestTopics([dlq], 1);
    const store = await openArchiveStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-lost-ack-')), 'dlq.db')}`,
      { logger: testLogger('archive') },
    );
    const commitFailed = reported('commit-failed');
    const archiver = createDlqArchiver({
      onEvent: commitFailed.onEvent,
      brokers: broker().proxied,
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic: dlq,
      groupId: group,
      store,
      logger: testLogger('dlq'),
      searchableText: async () => null,
      sessionTimeoutMilliseconds: 10_000,
    });
    const lost = broker().proxy.loseNextResponse(offsetCommitApiKey, outageMilliseconds);
    await produceRecords(records(dlq, ['a', 'b', 'c']));
    await archiver.start();
    try {
      await lost;
      const lostAt = Date.now();
      await produceRecords(records(dlq, ['d', 'e']));
      await endOutageOnceFailed(broker().proxy, lostAt, commitFailed.seen);
      await waitFor(
        'all five archived and committed',
        async () =>
          (await store.stats({}, 'day')).total === 5 && (await committedOffset(group, dlq)) === '5'
            ? true
            : undefined,
        { timeoutMilliseconds: 90_000 },
      );
      expect(archiver.state).to.equal('running');
    } finally {
      await archiver.stop();
      await store.close();
    }
  });
});
