import {
  replayHeaders,
  replayedFromHeader,
  type HeaderValue,
  type Logger,
  type OutgoingRecord,
} from '@ricochet/core';
import type { ArchivedRecord } from '@ricochet/archive';
import {
  createKafkaClient,
  createReliableProducer,
  type KafkaConnectionOptions,
} from '@ricochet/kafka';
import type { ConnectionDefaults } from '@ricochet/service-config';
import { commandLineConnectRetry, unreachableProblem } from '../../connection-options.js';
import { UsageError } from '../../exit-codes.js';

/**
 * The record a replay publishes: the original key, value and user headers, back on the original
 * topic, with Ricochet's retry headers dropped (so `try_count` starts again), Spring Kafka's and
 * Kafka Connect's dead-letter headers too, and `replayed-from` naming the archive id.
 */
export function replayRecord(record: ArchivedRecord & { originalTopic: string }): OutgoingRecord {
  const grouped: Record<string, HeaderValue[]> = {};
  for (const header of record.headers) {
    (grouped[header.name] ??= []).push(header.value);
  }
  const headers = replayHeaders(
    Object.fromEntries(
      Object.entries(grouped).map(([name, values]) => [
        name,
        values.length === 1 ? values[0] : values,
      ]),
    ),
  );
  return {
    topic: record.originalTopic,
    key: record.key,
    value: record.value,
    headers: { ...headers, [replayedFromHeader]: String(record.id) },
  };
}

/** Defaults of the replay's connection settings: a wrong address must fail in seconds. */
export const replayConnectionDefaults: ConnectionDefaults = {
  clientId: 'ricochet-cli-replay',
  connectionTimeoutMs: 2_000,
};

export async function withReplayProducer<T>(
  connection: Omit<KafkaConnectionOptions, 'logger' | 'retry'>,
  logger: Logger,
  use: (publish: (record: OutgoingRecord) => Promise<void>) => Promise<T>,
): Promise<T> {
  const kafka = createKafkaClient({ ...connection, logger, retry: commandLineConnectRetry });
  const producer = createReliableProducer(kafka);
  try {
    await producer.connect();
  } catch (error) {
    throw new UsageError(unreachableProblem(connection.brokers), { cause: error });
  }
  try {
    return await use((record) => producer.publishAcknowledged([record]));
  } finally {
    await producer.disconnect();
  }
}
