import type { OutgoingRecord } from '@ricochet/core';
import {
  createKafkaClient,
  createReliableProducer,
  type KafkaConnectionOptions,
} from '@ricochet/kafka';
import { BrokerAuthenticationError, BrokerAuthorizationError } from '@ricochet/kafka/errors';
import { ReplayBrokersUnreachableError } from './errors.js';

/** By code: the CLI may hold another copy of @ricochet/kafka's classes (see its exit codes). */
function refusedByBroker(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === BrokerAuthenticationError.code || code === BrokerAuthorizationError.code;
}

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
    // A failed connect can leave the client's connections open, and the command would never end.
    await producer.disconnect().catch((disconnectError: unknown) => {
      connection.logger.warn('closing the replay producer after its connect failed failed', {
        error: disconnectError,
      });
    });
    // The broker answered and refused this client: not a broker that cannot be reached.
    if (refusedByBroker(error)) {
      throw error;
    }
    throw new ReplayBrokersUnreachableError(connection.brokers, error);
  }
  return {
    publish: (records) => producer.publishAcknowledged(records),
    close: () => producer.disconnect(),
  };
}
