import { randomBytes } from 'node:crypto';
import { tierTopicName } from '@ricochet/core';
import { fillTopic } from '../producers.js';
import {
  formatRate,
  uniqueDelay,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { asyncRetryDeadLetterTopic, asyncRetryTopic } from '../sides/async-retry.js';
import { runInWorker } from '../worker-process.js';
import type { RetryRequest, RetryResult } from '../worker-protocol.js';

const target = 2.0;

/**
 * Scenario 2: every record fails once and succeeds on its first redelivery through a tier with a
 * short delay. Ricochet (main and delay consumer in one process) against kafkajs-async-retry (one
 * consumer on the source and retry topics), each on a topic of its own, in a fresh process; the
 * rate is records / (the last success - the first produce).
 */
export async function retryRoundTrip(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions } = context.settings.retryRoundTrip;
  const delayMilliseconds = uniqueDelay(context.settings.retryRoundTrip.delayMilliseconds);
  const value = randomBytes(valueBytes);

  const roundTrip = async (
    side: RetryRequest['side'],
  ): Promise<{ seconds: number } & RetryResult> => {
    const request: RetryRequest = {
      side,
      brokers: context.kafka.brokers,
      topic: `${context.runId}-retry-${side}`,
      groupId: `${context.runId}-retry-${side}`,
      records,
      delayMilliseconds,
      dlqTopic: `${context.runId}-retry-${side}-dlq`,
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
    context.progress(`retry round trip: ${side} ${formatRate(records / seconds)}`);
    return { ...result, seconds };
  };

  const baseline = await roundTrip('async-retry');
  const ricochet = await roundTrip('ricochet-retry');
  const baselineRate = records / baseline.seconds;
  const ricochetRate = records / ricochet.seconds;
  const rows: ResultRow[] = [
    {
      scenario: `retry round trip, ${delayMilliseconds} ms tier (records/s end to end)`,
      baseline: `kafkajs-async-retry ${formatRate(baselineRate)}`,
      ricochet: formatRate(ricochetRate),
      ratio: ricochetRate / baselineRate,
      target: `>= ${target}`,
      met: ricochetRate / baselineRate >= target,
    },
  ];
  return {
    id: 'retry-round-trip',
    title: 'Retry round trip',
    rows,
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions, each failing once and succeeding on its first redelivery after ${delayMilliseconds} ms (1 s plus 1-99 ms, so that the run's tier topic is its own); rate = records / (last success - first produce).`,
      'Ricochet: main consumer and delay consumer in one Node process; kafkajs-async-retry 1.0.0: one kafkajs consumer on the source and retry topics with `eachMessage`, as its README sets it up; both with the same client settings, each in a fresh process.',
    ],
    measurements: { records, valueBytes, partitions, delayMilliseconds, baseline, ricochet },
  };
}
