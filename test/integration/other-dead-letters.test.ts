import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayCountHeader, replayedFromHeader } from '@ricochet/core';
import { openArchiveStore, type ArchivedRecord, type ArchiveStore } from '@ricochet/archive';
import { createDlqArchiver, type DlqArchiver } from '@ricochet/dlq-archiver';
import { createBulkProducer } from '@ricochet/kafka';
import {
  collectTopic,
  connectDeadLetterHeaders,
  createTestTopics,
  javaInt,
  javaLong,
  runCliCaptured,
  springDeadLetterHeaders,
  testBrokers,
  testConnection,
  testKafka,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

const cli = (args: string[]) => runCliCaptured(args, { KAFKA_BROKERS: testBrokers().join(',') });

// Spring and Connect dead letters produced to a real topic with the exact header names and
// encodings those systems write (see @ricochet/testing's other-dead-letters.ts for where each
// comes from), archived by a real archiver in `auto`, and replayed to their original topics.
describe('Spring Kafka and Kafka Connect dead letters: archived and replayed (real broker, SQLite)', function () {
  this.timeout(60_000);
  const deadLetterTopic = uniqueName('shared-dlt');
  const springTopic = uniqueName('spring-orders');
  const connectTopic = uniqueName('connect-payments');
  let store: ArchiveStore;
  let storeUrl: string;
  let archiver: DlqArchiver;

  before(async () => {
    await createTestTopics([deadLetterTopic, springTopic, connectTopic]);
    storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-other-dlt-')), 'dlq.db')}`;
    store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    archiver = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic: deadLetterTopic,
      groupId: uniqueName('archiver'),
      store,
      logger: testLogger('dlq'),
      searchableText: async (value) => value?.toString('utf8') ?? null,
      format: 'auto',
    });
    await archiver.start();
  });

  after(async () => {
    await archiver?.stop();
    await store?.close();
  });

  it('reads each system’s headers into the archive’s fields and replays each record to its original topic without them', async () => {
    const spring: Record<string, Buffer | Buffer[]> = springDeadLetterHeaders({
      originalTopic: springTopic,
      originalPartition: 0,
      originalOffset: 41n,
      originalTimestamp: 1_700_000_000_000n,
      consumerGroup: 'spring-billing',
      exceptionClass: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      causeClass: 'java.lang.IllegalStateException',
      exceptionMessage: 'Listener failed; cannot ship',
      exceptionStacktrace: 'java.lang.IllegalStateException: cannot ship',
    });
    // Dead-lettered before, replayed by a tool that kept the headers, dead-lettered again:
    // Spring appends its original-* headers, so the record carries the first failure's too.
    spring['kafka_dlt-original-offset'] = [javaLong(3n), javaLong(41n)];
    spring['kafka_dlt-original-partition'] = [javaInt(0), javaInt(0)];
    const connect = connectDeadLetterHeaders({
      originalTopic: connectTopic,
      originalPartition: 0,
      originalOffset: 7n,
      connectorName: 'jdbc-sink',
      taskId: 0,
      stage: 'VALUE_CONVERTER',
      executingClass: 'org.apache.kafka.connect.json.JsonConverter',
      exceptionClass: 'org.apache.kafka.connect.errors.DataException',
      exceptionMessage: 'Converting byte[] to Kafka Connect data failed',
      exceptionStacktrace: 'org.apache.kafka.connect.errors.DataException: ...',
    });
    const connectOriginalTimestamp = 1_690_000_000_000;
    const producer = createBulkProducer(testKafka());
    await producer.connect();
    const producedFrom = Date.now();
    try {
      // Spring leaves the dead letter's timestamp to the producer; Connect copies the original's.
      await producer.send(deadLetterTopic, [
        {
          key: Buffer.from('order-1'),
          value: Buffer.from('{"order":1}'),
          headers: { ...spring, tenant: 'acme' },
        },
        {
          key: Buffer.from('payment-1'),
          value: Buffer.from('{"payment":1}'),
          headers: { ...connect, tenant: 'acme' },
          timestamp: String(connectOriginalTimestamp),
        },
      ]);
    } finally {
      await producer.disconnect();
    }
    const producedUntil = Date.now();
    const archived = await waitFor('both dead letters in the archive', async () => {
      const page = await store.list({}, { limit: 10 });
      return page.records.length === 2 ? page.records : undefined;
    });
    const byTopic = (topic: string): ArchivedRecord =>
      archived.find((record) => record.originalTopic === topic)!;
    expect(byTopic(springTopic)).to.include({
      originalPartition: 0,
      originalOffset: '41',
      originalTimestamp: 1_700_000_000_000,
      retryGroup: 'spring-billing',
      errorClass: 'java.lang.IllegalStateException',
      errorMessage: 'Listener failed; cannot ship',
    });
    expect(byTopic(springTopic).lastFailureAt)
      .to.be.at.least(producedFrom)
      .and.at.most(producedUntil);
    expect(byTopic(connectTopic)).to.include({
      originalPartition: 0,
      originalOffset: '7',
      originalTimestamp: connectOriginalTimestamp,
      retryGroup: 'jdbc-sink',
      errorClass: 'org.apache.kafka.connect.errors.DataException',
    });

    const ids = archived.map((record) => String(record.id));
    const replay = await cli(['dlq', 'replay', ...ids, '--store', storeUrl]);
    expect(replay.code, replay.stderr).to.equal(0);

    for (const [topic, key, value] of [
      [springTopic, 'order-1', '{"order":1}'],
      [connectTopic, 'payment-1', '{"payment":1}'],
    ] as const) {
      const collected = await collectTopic(topic);
      try {
        const [record] = await waitFor(`the replay on ${topic}`, () =>
          collected.records.length > 0 ? collected.records : undefined,
        );
        expect(record!.key?.toString()).to.equal(key);
        expect(record!.value?.toString()).to.equal(value);
        expect(Object.keys(record!.headers).sort()).to.deep.equal(
          [replayedFromHeader, replayCountHeader, 'tenant'].sort(),
        );
        expect(String(record!.headers[replayedFromHeader])).to.equal(String(byTopic(topic).id));
        expect(String(record!.headers[replayCountHeader])).to.equal('1');
      } finally {
        await collected.stop();
      }
    }
  });
});
