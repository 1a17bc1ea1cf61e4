import type { OutgoingRecord } from '@ricochet/core';
import {
  createKafkaClient,
  createReliableProducer,
  type KafkaConnectionOptions,
} from '@ricochet/kafka';
import { ReplayBrokersUnreachableError } from './errors.js';

/** Publishes a replay's records: idempotent, acknowledged by all in-sync replicas. */
export interface ReplayPublisher {
  /** Resolves once every record is acknowledged; on failure none may be counted sent. */
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Connects a producer for replays; ReplayBrokersUnreachableError when no broker answers. */
export async function openReplayPublisher(
  connection: KafkaConnectionOptions,
): Promise<ReplayPublisher> {
  const producer = createReliableProducer(createKafkaClient(connection));
  try {
    await producer.connect();
  } catch (error) {
    throw new ReplayBrokersUnreachableError(connection.brokers, error);
  }
  return {
    publish: (records) => producer.publishAcknowledged(records),
    close: () => producer.disconnect(),
  };
}
