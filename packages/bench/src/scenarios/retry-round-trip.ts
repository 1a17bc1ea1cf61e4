import { randomBytes } from 'node:crypto';
import { tierTopicName } from '@ricochet/core';
import { fillTopic } from '../producers.js';
import type { KafkaDriver } from '@ricochet/kafka';
import {
  againstDefaultDriver,
  byDriver,
  delaysByDriver,
  drivers,
  measureEachDriver,
  ricochetOn,
} from '../drivers.js';
import {
  comparedRow,
  formatRate,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { asyncRetryDeadLetterTopic, asyncRetryTopic } from '../sides/async-retry.js';
import { runInWorker } from '../worker-process.js';
import type { RetryRequest, RetryResult } from '../worker-protocol.js';

/** Ricochet on kafkajs against kafkajs-async-retry. */
const targetAgainstAsyncRetry = 2.0;

/**
 * Scenario 2: every record fails once and succeeds on its first redelivery through a tier with a
 * short delay. Ricochet on each driver (main and delay consumer in one process) against
 * kafkajs-async-retry (one consumer on the source and retry topics), each on a topic and tier of
 * its own, in a fresh process; the rate is records / (the last success - the first produce).
 */
export async function retryRoundTrip(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions } = context.settings.retryRoundTrip;
  const delays = delaysByDriver(context.settings.retryRoundTrip.delayMilliseconds);
  const value = randomBytes(valueBytes);

  const roundTrip = async (
    side: RetryRequest['side'],
    driver: KafkaDriver,
  ): Promise<{ seconds: number } & RetryResult> => {
    const name = `${context.runId}-retry-${side}-${driver}`;
    const delayMilliseconds = delays[driver];
    const request: RetryRequest = {
      side,
      brokers: context.kafka.brokers,
      driver,
      topic: name,
      groupId: name,
      records,
      delayMilliseconds,
      dlqTopic: `${name}-dlq`,
    };
    await context.kafka.createTopics(
      side === 'ricochet-retry'
        ? [
            { topic: request.topic, partitions },
            { topic: tierTopicName(delayMilliseconds), partitions },
            { topic: request.dlqTopic, partitions: 1 },
          ]
        : [
            { topic: request.topic, partitions },
            { topic: asyncRetryTopic(request.groupId), partitions },
            { topic: asyncRetryDeadLetterTopic(request.groupId), partitions: 1 },
          ],
    );
    let firstProducedAt = 0;
    const result = await runInWorker<RetryResult>(request, 900_000, async () => {
      firstProducedAt = Date.now();
      await fillTopic(
        context.kafka.client('ricochet-bench-producer'),
        { topic: request.topic, partitions, value },
        records,
      );
    });
    const seconds = (result.finishedAt - firstProducedAt) / 1000;
    context.progress(`retry round trip: ${side} on ${driver} ${formatRate(records / seconds)}`);
    return { ...result, seconds };
  };

  // kafkajs-async-retry is a kafkajs client; it waits as long as Ricochet on kafkajs.
  const baseline = await roundTrip('async-retry', 'kafkajs');
  const ricochet = await measureEachDriver((driver) => roundTrip('ricochet-retry', driver));
  const baselineRate = { name: 'kafkajs-async-retry', value: records / baseline.seconds };
  const rates = byDriver((driver) => records / ricochet[driver].seconds);
  const rows: ResultRow[] = [
    ...drivers.map((driver) =>
      comparedRow(
        `retry round trip, ${ricochetOn(driver)}, ${delays[driver]} ms tier (records/s end to end)`,
        baselineRate,
        rates[driver],
        { atLeast: driver === 'kafkajs' ? targetAgainstAsyncRetry : undefined },
      ),
    ),
    ...againstDefaultDriver('retry round trip', rates, { atLeast: 1 }),
  ];
  return {
    id: 'retry-round-trip',
    title: 'Retry round trip',
    rows,
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions, each failing once and succeeding on its first redelivery after ${delays.kafkajs} ms (1 s plus 1-99 ms, so that the run's tier topic is its own; each driver's tier a millisecond on: ${drivers.map((driver) => `${delays[driver]} ms on ${driver}`).join(', ')}); rate = records / (last success - first produce).`,
      `Ricochet: main consumer and delay consumer in one Node process, on ${drivers.join(' and on ')}; kafkajs-async-retry 1.0.0: one kafkajs consumer on the source and retry topics with \`eachMessage\`, as its README sets it up; all with the same client settings, each in a fresh process, one after another.`,
    ],
    measurements: { records, valueBytes, partitions, delays, baseline, ricochet },
  };
}
