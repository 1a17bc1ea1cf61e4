import {
  createAdmin,
  createKafkaClient,
  createReliableProducer,
  defaultKafkaDriver,
  kafkaDrivers,
  parseBrokerList,
  createServiceConsumer,
  ServiceLifecycle,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaDriver,
} from '@ricochet/kafka';
import type { ConsumedRecord, OutgoingRecord } from '@ricochet/core';
import { uniqueName } from './names.js';
import { testLogger } from './logger.js';

/**
 * The fetch wait of the consumers tests start: a stop waits for the fetch in flight, and the
 * Kafka client's own 5 s made every idle stop take that long. Records arrive as soon either way.
 */
export const testMaxWaitMilliseconds = 100;

/** The brokers the global test setup resolved (it exports them as KAFKA_BROKERS). */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers === undefined) {
    throw new Error(
      'KAFKA_BROKERS is not set: run the tests through mocha so test/setup.ts resolves a broker',
    );
  }
  return parseBrokerList(brokers, 'KAFKA_BROKERS');
}

/**
 * The driver the tests run on: RICOCHET_KAFKA_DRIVER, the variable the services read, so that
 * the services a test runs as processes (`ricochet run`) and those it makes itself agree.
 */
export function testDriver(): KafkaDriver {
  const driver = process.env.RICOCHET_KAFKA_DRIVER ?? defaultKafkaDriver;
  if (!(kafkaDrivers as readonly string[]).includes(driver)) {
    throw new Error(`RICOCHET_KAFKA_DRIVER is ${driver}; expected ${kafkaDrivers.join(' or ')}`);
  }
  return driver as KafkaDriver;
}

/** How a service a test makes reaches the test broker: its brokers and the tests' driver. */
export function testConnection(): { brokers: string[]; driver: KafkaDriver } {
  return { brokers: testBrokers(), driver: testDriver() };
}

export function testKafka(clientId = 'ricochet-test'): KafkaClient {
  return createKafkaClient({
    ...testConnection(),
    clientId,
    logger: testLogger('kafka'),
  });
}

/** An admin of the test broker, or of another cluster when given its client. */
export async function withAdmin<T>(
  use: (admin: KafkaAdmin) => Promise<T>,
  kafka: KafkaClient = testKafka(),
): Promise<T> {
  const admin = createAdmin(kafka);
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTestTopics(topics: readonly string[], partitions = 1): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.createTopics(
      topics.map((topic) => ({ topic, partitions })),
      { waitForLeaders: true },
    );
  });
}

export async function produceRecords(records: readonly OutgoingRecord[]): Promise<void> {
  const producer = createReliableProducer(testKafka());
  await producer.connect();
  try {
    await producer.publishAcknowledged(records);
  } finally {
    await producer.disconnect();
  }
}

export interface CollectedRecord extends ConsumedRecord {
  /** Epoch milliseconds at which the collecting consumer saw the record. */
  readonly receivedAt: number;
}

/**
 * Reads a topic from the beginning into an array until stopped, through Ricochet's own port;
 * from the test broker unless given another cluster's client.
 */
export async function collectTopic(
  topic: string,
  kafka: KafkaClient = testKafka(),
): Promise<{ records: CollectedRecord[]; stop: () => Promise<void> }> {
  const consumer = createServiceConsumer(kafka, {
    groupId: uniqueName('collector'),
    sessionTimeoutMilliseconds: 10_000,
    maxWaitMilliseconds: testMaxWaitMilliseconds,
  });
  const collector = new ServiceLifecycle(`collector of ${topic}`, testLogger('collector'), {
    consumer,
    helpers: [],
  });
  const records: CollectedRecord[] = [];
  await collector.start({
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      const receivedAt = Date.now();
      for (const record of batch.records) {
        records.push({ ...record, receivedAt });
      }
      const last = batch.records.at(-1);
      if (last !== undefined) {
        batch.resolve(last.offset);
      }
    },
  });
  return { records, stop: () => collector.stop() };
}

/** The offset a group has committed on partition 0 of a topic, if any. */
export async function committedOffset(groupId: string, topic: string): Promise<string | undefined> {
  const offsets = await withAdmin((admin) => admin.fetchCommittedOffsets(groupId, topic));
  return offsets.find(({ partition }) => partition === 0)?.offset;
}

/** The group's committed offset and metadata of every partition of `topic`, by partition. */
export async function committedOffsets(
  groupId: string,
  topic: string,
): Promise<Map<number, { offset: string | undefined; metadata: string | null | undefined }>> {
  const offsets = await withAdmin((admin) => admin.fetchCommittedOffsets(groupId, topic));
  return new Map(
    offsets.map(({ partition, offset, metadata }) => [partition, { offset, metadata }]),
  );
}

/** Whether the group has committed every partition of `topic` through its end. */
export async function committedToEnd(groupId: string, topic: string): Promise<boolean> {
  const [ends, committed] = await Promise.all([
    withAdmin((admin) => admin.fetchTopicOffsets(topic)),
    committedOffsets(groupId, topic),
  ]);
  return ends.every(({ partition, high }) => committed.get(partition)?.offset === high);
}
