import kafkajs from 'kafkajs';
import { RicochetError, type HeaderValue, type OutgoingRecord } from '@ricochet/core';
import { connectChecked, kafkajsClientOf, type KafkaClient } from './client.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';

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
export function createReliableProducer(client: KafkaClient): ReliableProducer {
  return new KafkajsReliableProducer(
    client,
    kafkajsClientOf(client).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      retry: { retries: producerRetries, initialRetryTime: 100, maxRetryTime: 5_000 },
    }),
  );
}

export class PublishError extends RicochetError {
  constructor(message: string, cause: unknown) {
    const retriable =
      cause instanceof kafkajs.KafkaJSError || cause instanceof RicochetError
        ? cause.retriable
        : true;
    super(message, { code: 'PUBLISH_FAILED', retriable, cause });
  }
}

class KafkajsReliableProducer implements ReliableProducer {
  readonly #client: KafkaClient;
  readonly #producer: kafkajs.Producer;

  constructor(client: KafkaClient, producer: kafkajs.Producer) {
    this.#client = client;
    this.#producer = producer;
  }

  async connect(): Promise<void> {
    try {
      await connectChecked(this.#client, () => this.#producer.connect());
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
      await this.#producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
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

export function createBulkProducer(client: KafkaClient): BulkProducer {
  const producer = kafkajsClientOf(client).producer({
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  return {
    connect: () => connectChecked(client, () => producer.connect()),
    disconnect: () => producer.disconnect(),
    send: async (topic, records) => {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map(({ key, value, partition, headers, timestamp }) => ({
          key,
          value,
          ...(partition === undefined ? {} : { partition }),
          ...(headers === undefined ? {} : { headers: { ...headers } }),
          ...(timestamp === undefined ? {} : { timestamp }),
        })),
      });
    },
  };
}
