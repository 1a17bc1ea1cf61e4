import asyncRetry, { RetryTopicNaming } from 'kafkajs-async-retry';
import { createKafkaClient } from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { RedeliveryTally } from './redelivery-tally.js';
import type { RetryRequest, RetryResult } from '../worker-protocol.js';

/** The retry topic kafkajs-async-retry uses for a group's first retry (attempt-based naming). */
export function asyncRetryTopic(groupId: string): string {
  return `${groupId}-retry-1`;
}

/** The dead-letter topic kafkajs-async-retry uses for a group. */
export function asyncRetryDeadLetterTopic(groupId: string): string {
  return `${groupId}-dlq`;
}

/**
 * The baseline: kafkajs-async-retry as its README sets it up (one consumer on the source and retry
 * topics, `eachMessage`), with one retry after the same delay. Every record fails once.
 */
export async function retryWithAsyncRetry(
  request: RetryRequest,
  ready: () => void,
): Promise<RetryResult> {
  const kafka = kafkajsClientOf(
    createKafkaClient({
      brokers: request.brokers,
      clientId: `async-retry-${request.groupId}`,
      logger: benchLogger('async-retry'),
    }),
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId: request.groupId,
    sessionTimeout: 30_000,
    allowAutoTopicCreation: false,
  });
  // A CommonJS module: its class is the `default` property of what Node's ESM import returns.
  const helper = new asyncRetry.default({
    producer,
    groupId: request.groupId,
    retryTopicNaming: RetryTopicNaming.ATTEMPT_BASED,
    retryDelays: [request.delayMilliseconds / 1000],
    maxRetries: 1,
  });
  const tally = new RedeliveryTally(request.records);
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (assigned = true));
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [request.topic, ...helper.retryTopics], fromBeginning: true });
  await consumer.run({
    eachMessage: helper.eachMessage(async ({ previousAttempts }) =>
      tally.attempt(previousAttempts),
    ),
  });
  await waitFor('the consumer to join its group', () => (assigned ? true : undefined));
  ready();
  await tally.done;
  await consumer.disconnect();
  await producer.disconnect();
  return tally.result();
}
