import { expect } from 'chai';
import fc from 'fast-check';
import { ConfigError, RetryHeader, type ConsumedRecord, type RecordHeaders } from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { compileDlqArchiverOptions, toArchiveInput } from '@ricochet/dlq-archiver/internal';
import {
  connectDeadLetterHeaders,
  javaInt,
  javaLong,
  springDeadLetterHeaders,
  testLogger,
} from '@ricochet/testing';

const deadLetteredAt = 1_700_000_123_456;

function deadLetter(headers: RecordHeaders, offset = '0'): ConsumedRecord {
  return {
    topic: 'orders-dlt',
    partition: 0,
    offset,
    timestamp: String(deadLetteredAt),
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers,
  };
}

const springFailure = {
  originalTopic: 'orders',
  originalPartition: 7,
  originalOffset: 2n ** 40n + 3n,
  originalTimestamp: 1_700_000_000_000n,
  consumerGroup: 'billing',
  exceptionClass: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
  causeClass: 'java.lang.IllegalStateException',
  exceptionMessage: 'Listener method threw; cannot ship',
  exceptionStacktrace: 'java.lang.IllegalStateException: cannot ship\n\tat Shop.ship(Shop.java:9)',
};

const connectFailure = {
  originalTopic: 'payments',
  originalPartition: 3,
  originalOffset: 99n,
  connectorName: 'jdbc-sink',
  taskId: 1,
  stage: 'VALUE_CONVERTER',
  executingClass: 'org.apache.kafka.connect.json.JsonConverter',
  exceptionClass: 'org.apache.kafka.connect.errors.DataException',
  exceptionMessage: 'Converting byte[] to Kafka Connect data failed',
  exceptionStacktrace: 'org.apache.kafka.connect.errors.DataException: Converting ...',
};

describe('toArchiveInput reads Spring Kafka and Kafka Connect dead letters', () => {
  it('spring: original position from big-endian binary, the listener’s own exception, dead-lettered at the record’s timestamp', () => {
    const input = toArchiveInput(
      deadLetter(springDeadLetterHeaders(springFailure)),
      null,
      'spring',
    );
    expect(input).to.deep.include({
      originalTopic: 'orders',
      originalPartition: 7,
      originalOffset: '1099511627779',
      originalTimestamp: 1_700_000_000_000,
      retryGroup: 'billing',
      errorClass: 'java.lang.IllegalStateException',
      errorMessage: 'Listener method threw; cannot ship',
      errorStack: springFailure.exceptionStacktrace,
      tryCount: null,
      firstFailureAt: null,
      lastFailureAt: deadLetteredAt,
      deadLetterReason: null,
    });
    expect(input.headers.map((header) => header.name)).to.include('kafka_dlt-original-offset');
  });

  it('spring: a record dead-lettered again carries each header twice; the last is the current one', () => {
    const first = springDeadLetterHeaders(springFailure);
    const again = springDeadLetterHeaders({
      ...springFailure,
      originalPartition: 1,
      originalOffset: 5n,
      exceptionMessage: 'second',
    });
    const headers = Object.fromEntries(
      Object.keys(first).map((name) => [name, [first[name]!, again[name]!]]),
    );
    expect(toArchiveInput(deadLetter(headers), null, 'spring')).to.include({
      originalPartition: 1,
      originalOffset: '5',
      errorMessage: 'second',
    });
  });

  it('spring: a key that failed to deserialize is described by the key-exception headers', () => {
    const input = toArchiveInput(
      deadLetter({
        'kafka_dlt-key-exception-fqcn':
          'org.springframework.kafka.support.serializer.DeserializationException',
        'kafka_dlt-key-exception-message': 'failed to deserialize key',
        'kafka_dlt-key-exception-stacktrace': 'DeserializationException: failed ...',
        'kafka_dlt-original-topic': 'orders',
      }),
      null,
      'spring',
    );
    expect(input).to.include({
      errorClass: 'org.springframework.kafka.support.serializer.DeserializationException',
      errorMessage: 'failed to deserialize key',
      errorStack: 'DeserializationException: failed ...',
    });
  });

  it('spring: numbers not in Java’s binary form, or negative, are stored as null', () => {
    const input = toArchiveInput(
      deadLetter({
        'kafka_dlt-original-partition': Buffer.from('7'),
        'kafka_dlt-original-offset': javaInt(42),
        'kafka_dlt-original-timestamp': javaLong(-1n),
      }),
      null,
      'spring',
    );
    expect(input).to.include({
      originalPartition: null,
      originalOffset: null,
      originalTimestamp: null,
    });
    expect(
      toArchiveInput(deadLetter({ 'kafka_dlt-original-partition': javaInt(-1) }), null, 'spring'),
    ).to.include({ originalPartition: null });
  });

  it('connect: numbers as decimal text, the connector as the group, the original timestamp kept on the record', () => {
    const input = toArchiveInput(
      deadLetter(connectDeadLetterHeaders(connectFailure)),
      null,
      'connect',
    );
    expect(input).to.deep.include({
      originalTopic: 'payments',
      originalPartition: 3,
      originalOffset: '99',
      originalTimestamp: deadLetteredAt,
      retryGroup: 'jdbc-sink',
      errorClass: 'org.apache.kafka.connect.errors.DataException',
      errorMessage: 'Converting byte[] to Kafka Connect data failed',
      errorStack: connectFailure.exceptionStacktrace,
      tryCount: null,
      firstFailureAt: null,
      lastFailureAt: null,
      deadLetterReason: null,
    });
    expect(input.headers.map((header) => header.name)).to.include.members([
      '__connect.errors.stage',
      '__connect.errors.task.id',
    ]);
  });

  it('auto: Ricochet’s headers first, then Spring’s, then Connect’s; none read as Ricochet’s', () => {
    const ricochet = {
      [RetryHeader.deadLetterReason]: 'retries-exhausted',
      [RetryHeader.originalTopic]: 'ricochet-orders',
    };
    const spring = springDeadLetterHeaders(springFailure);
    const connect = connectDeadLetterHeaders(connectFailure);
    const read = (headers: RecordHeaders) =>
      toArchiveInput(deadLetter(headers), null, 'auto').originalTopic;
    expect(read({ ...spring, ...connect, ...ricochet })).to.equal('ricochet-orders');
    expect(read({ ...connect, ...spring })).to.equal('orders');
    expect(read(connect)).to.equal('payments');
    expect(read({ [RetryHeader.originalTopic]: 'bare' })).to.equal('bare');
  });

  it('a format given reads only its own system’s headers', () => {
    const headers = springDeadLetterHeaders(springFailure);
    expect(toArchiveInput(deadLetter(headers), null, 'ricochet').originalTopic).to.equal(null);
    expect(toArchiveInput(deadLetter(headers), null, 'connect').originalTopic).to.equal(null);
  });

  it('the format is checked once, when the archiver is made', () => {
    expect(() =>
      compileDlqArchiverOptions({
        brokers: ['k:1'],
        store: {} as ArchiveStore,
        searchableText: async () => null,
        logger: testLogger('dlq'),
        format: 'xml' as 'auto',
      }),
    )
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/format.*must be one of ricochet, spring, connect, auto, got xml/);
  });

  describe('against the store', () => {
    let store: ArchiveStore;

    before(async () => {
      store = await openArchiveStore('sqlite::memory:', { logger: testLogger('archive') });
      await store.migrate();
    });

    after(() => store.close());

    it('yields input the store accepts, whatever bytes the Spring and Connect headers carry', async () => {
      const names = [
        ...Object.keys(springDeadLetterHeaders(springFailure)),
        ...Object.keys(connectDeadLetterHeaders(connectFailure)),
      ];
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 9 }).map((array) => Buffer.from(array)),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(javaLong),
        fc.integer().map(javaInt),
        fc.bigInt().map((value) => Buffer.from(String(value))),
      );
      let offset = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...names), fc.oneof(bytes, fc.array(bytes))),
          fc.constantFrom('spring' as const, 'connect' as const, 'auto' as const),
          fc.oneof(fc.constant('-1'), fc.bigInt({ min: 0n }).map(String)),
          async (headers, format, timestamp) => {
            offset += 1;
            const record = { ...deadLetter(headers, String(offset)), timestamp };
            expect(await store.insert([toArchiveInput(record, null, format)])).to.equal(1);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
