import kafkajs from 'kafkajs';
import { RicochetError, type OutgoingRecord } from '@ricochet/core';

/**
 * Retries the client makes for one send before the send fails. Bounded, unlike kafkajs's default
 * for idempotent producers (forever): a broker that stays down must surface as an error so the
 * caller stops, rather than hang while holding uncommitted records.
 */
const producerRetries = 8;

/**
 * A producer fit to hand records on: idempotent, `acks=all`, one request in flight so that the
 * idempotent sequence numbers stay ordered.
 */
export function createReliableProducer(kafka: kafkajs.Kafka): kafkajs.Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    retry: { retries: producerRetries, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
}

export class PublishError extends RicochetError {
  constructor(message: string, cause: unknown) {
    const retriable = cause instanceof kafkajs.KafkaJSError ? cause.retriable : true;
    super(message, { code: 'PUBLISH_FAILED', retriable, cause });
  }
}

/**
 * Sends records and resolves only once every one is acknowledged by all in-sync replicas.
 * Failure rejects with a PublishError naming the topics; none of the records may be counted sent.
 */
export async function publishAcknowledged(
  producer: kafkajs.Producer,
  records: readonly OutgoingRecord[],
): Promise<void> {
  if (records.length === 0) {
    return;
  }
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
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  } catch (error) {
    throw new PublishError(
      `publishing ${records.length} record(s) to ${[...byTopic.keys()].join(', ')} failed`,
      error,
    );
  }
}
