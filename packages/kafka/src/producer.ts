import kafkajs from 'kafkajs';
import { RicochetError, type HeaderValue, type OutgoingRecord } from '@ricochet/core';
import { connectChecked, kafkajsClientOf, type KafkaClient } from './client.js';
import { connectWhileBrokerUnreachable } from './producer-id.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';
import {
  unacknowledgedPartitions,
  UnacknowledgedPartitionsError,
  type SentRecordPlace,
} from './acknowledgements.js';

/**
 * Retries the client makes for one send before the send fails. Bounded, unlike kafkajs's default
 * for idempotent producers (forever): a broker that stays down must surface as an error so the
 * caller stops, rather than hang while holding uncommitted records.
 */
const producerRetries = 8;

/** A producer fit to hand records on; connect it before publishing. */
export interface ReliableProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Sends records and resolves only once every one is acknowledged by all in-sync replicas.
   * Failure rejects with a PublishError naming the topics; none of the records may be counted
   * sent.
   */
  publishAcknowledged(records: readonly OutgoingRecord[]): Promise<void>;
}

/**
 * Idempotent, `acks=all`, one request in flight so that the idempotent sequence numbers stay
 * ordered.
 */
export function createKafkajsReliableProducer(client: KafkaClient): ReliableProducer {
  const placements = new Placements();
  return new KafkajsReliableProducer(
    client,
    kafkajsClientOf(client).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: placements.partitioner,
      retry: { retries: producerRetries, initialRetryTime: 100, maxRetryTime: 5_000 },
    }),
    placements,
  );
}

/**
 * The default partitioner, except that a message keeps the partition first chosen for it through
 * the client's retries of a send (one without a key would otherwise move round-robin): the
 * partitions a send wrote to are then known, and a partition answered for holds all of its
 * messages.
 */
class Placements {
  readonly #chosen = new WeakMap<kafkajs.Message, number>();

  readonly partitioner: kafkajs.ICustomPartitioner = () => {
    const choose = kafkajs.Partitioners.DefaultPartitioner();
    return (placing) => {
      const known = this.#chosen.get(placing.message);
      if (known !== undefined) {
        return known;
      }
      const partition = choose(placing);
      this.#chosen.set(placing.message, partition);
      return partition;
    };
  };

  of(topicMessages: readonly kafkajs.TopicMessages[]): SentRecordPlace[] {
    return topicMessages.flatMap(({ topic, messages }) =>
      messages.map((message) => ({ topic, partition: this.#chosen.get(message) })),
    );
  }
}

/**
 * Sends and resolves only if the response covers every partition written to (kafkajs#1303, see
 * unacknowledgedPartitions); rejects with a retriable UnacknowledgedPartitionsError otherwise.
 */
async function sendCovered(
  producer: kafkajs.Producer,
  placements: Placements,
  topicMessages: kafkajs.TopicMessages[],
): Promise<void> {
  const answered = await producer.sendBatch({ acks: -1, topicMessages });
  const missing = unacknowledgedPartitions(
    placements.of(topicMessages),
    answered.map(({ topicName, partition }) => ({ topic: topicName, partition })),
  );
  if (missing.length > 0) {
    throw new UnacknowledgedPartitionsError(missing);
  }
}

export class PublishError extends RicochetError {
  /**
   * The records of the failed send (by their index in it) that were acknowledged all the same:
   * a driver that reports each record's fate (librdkafka) says so, and publishing them again
   * would write them twice. Empty when the driver cannot tell (kafkajs).
   */
  readonly acknowledged: ReadonlySet<number>;

  constructor(message: string, cause: unknown, acknowledged: ReadonlySet<number> = new Set()) {
    const retriable =
      cause instanceof kafkajs.KafkaJSError || cause instanceof RicochetError
        ? cause.retriable
        : true;
    super(message, { code: 'PUBLISH_FAILED', retriable, cause });
    this.acknowledged = acknowledged;
  }
}

class KafkajsReliableProducer implements ReliableProducer {
  readonly #client: KafkaClient;
  readonly #producer: kafkajs.Producer;
  readonly #placements: Placements;

  constructor(client: KafkaClient, producer: kafkajs.Producer, placements: Placements) {
    this.#client = client;
    this.#producer = producer;
    this.#placements = placements;
  }

  async connect(): Promise<void> {
    try {
      await connectWhileBrokerUnreachable(
        () => connectChecked(this.#client, () => this.#producer.connect()),
        () => this.#producer.disconnect(),
      );
    } catch (error) {
      // The only request an idempotent producer makes on connecting is for its producer id.
      throw authorizationErrorFrom(
        error,
        'Write on the topics it publishes to (an idempotent producer is refused its producer id without Write on at least one topic, or IdempotentWrite on the cluster)',
      );
    }
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }

  async publishAcknowledged(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) {
      return;
    }
    const byTopic = groupByTopic(records);
    try {
      await sendCovered(
        this.#producer,
        this.#placements,
        [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      );
    } catch (error) {
      throw new PublishError(
        `publishing ${records.length} record(s) to ${[...byTopic.keys()].join(', ')} failed`,
        authorizationErrorFrom(error, `Write on ${topicsNamed([...byTopic.keys()])}`),
      );
    }
  }
}

function groupByTopic(records: readonly OutgoingRecord[]): Map<string, kafkajs.Message[]> {
  const byTopic = new Map<string, kafkajs.Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({
      key: record.key,
      value: record.value,
      headers: record.headers,
      ...(record.partition === undefined ? {} : { partition: record.partition }),
    });
    byTopic.set(record.topic, messages);
  }
  return byTopic;
}

/**
 * A producer for filling topics fast (benchmarks and tests acting as an outside party): not
 * idempotent, so several sends may be in flight at once; each send still waits for `acks=all`.
 */
export interface BulkProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Sends the records of one topic; concurrent calls are sent concurrently. */
  send(topic: string, records: readonly BulkRecord[]): Promise<void>;
}

export interface BulkRecord {
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  /** Chosen from the key when absent. */
  readonly partition?: number;
  readonly headers?: Readonly<Record<string, HeaderValue | HeaderValue[]>>;
  /** Epoch milliseconds as decimal text; the producer's clock when absent. */
  readonly timestamp?: string;
}

export function createKafkajsBulkProducer(client: KafkaClient): BulkProducer {
  const placements = new Placements();
  const producer = kafkajsClientOf(client).producer({
    allowAutoTopicCreation: false,
    createPartitioner: placements.partitioner,
  });
  return {
    connect: () => connectChecked(client, () => producer.connect()),
    disconnect: () => producer.disconnect(),
    send: async (topic, records) => {
      const messages = records.map(({ key, value, partition, headers, timestamp }) => ({
        key,
        value,
        ...(partition === undefined ? {} : { partition }),
        ...(headers === undefined ? {} : { headers: { ...headers } }),
        ...(timestamp === undefined ? {} : { timestamp }),
      }));
      await sendCovered(producer, placements, [{ topic, messages }]);
    },
  };
}
