import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createMainConsumer } from '@ricochet/main-consumer';
import { formatDuration } from '@ricochet/core';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { ThroughputMeter } from '../statistics.js';
import type { FailOnceRequest, FailOnceResult } from '../worker-protocol.js';

/** The header the bench sets on the records that fail on their first delivery. */
export const failsOnceHeader = 'ricochet-bench-fails-once';

/**
 * Ricochet's main consumer with the request's ordering, and the tier's delay consumer, in one
 * process and on the request's driver (as the retry round trip runs them): a record marked `failsOnceHeader` fails on its
 * first delivery and succeeds on its redelivery, every other record succeeds at once. The span
 * runs from the first success to the last record's. The delay consumer owns its partitions
 * before the main consumer starts, so that the first failures do not wait for its group join.
 */
export async function failOnceWithRicochet(request: FailOnceRequest): Promise<FailOnceResult> {
  const logger = benchLogger('ricochet-fail-once');
  const tier = formatDuration(request.delayMilliseconds);
  const meter = new ThroughputMeter(request.records);
  const outcomes: Record<string, number> = {};
  const delay = createDelayConsumer({
    brokers: request.brokers,
    driver: request.driver,
    tier,
    groupId: request.delayGroupId,
    dlqTopic: request.dlqTopic,
    logger,
  });
  const main = createMainConsumer({
    brokers: request.brokers,
    driver: request.driver,
    groupId: request.groupId,
    topics: [request.topic],
    tiers: tier,
    dlqTopic: request.dlqTopic,
    ordering: request.ordering,
    fromBeginning: true,
    logger,
    handler: (record) => {
      if (record.tryCount === 0 && record.headers[failsOnceHeader] !== undefined) {
        throw new Error('fails on its first delivery');
      }
      meter.record();
    },
    onOutcome: (outcome) => {
      outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1;
    },
  });
  await delay.start();
  await waitFor('the delay consumer to own its partitions', () =>
    delay.readiness().ready ? true : undefined,
  );
  await main.start();
  await meter.done;
  await Promise.all([main.stop(), delay.stop()]);
  return { ...meter.result(), outcomes };
}
