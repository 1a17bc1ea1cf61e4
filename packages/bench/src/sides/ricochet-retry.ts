import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createMainConsumer } from '@ricochet/main-consumer';
import { formatDuration } from '@ricochet/core';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { RedeliveryTally } from './redelivery-tally.js';
import type { RetryRequest, RetryResult } from '../worker-protocol.js';

/**
 * Ricochet's main consumer and the tier's delay consumer in one process (as the baseline runs in
 * one), both on the request's driver: every record fails once and succeeds on its redelivery.
 */
export async function retryWithRicochet(
  request: RetryRequest,
  ready: () => void,
): Promise<RetryResult> {
  const logger = benchLogger('ricochet-retry');
  const tier = formatDuration(request.delayMilliseconds);
  const tally = new RedeliveryTally(request.records);
  const main = createMainConsumer({
    brokers: request.brokers,
    driver: request.driver,
    groupId: request.groupId,
    topics: [request.topic],
    tiers: tier,
    dlqTopic: request.dlqTopic,
    fromBeginning: true,
    logger,
    handler: (record) => tally.attempt(record.tryCount),
  });
  const delay = createDelayConsumer({
    brokers: request.brokers,
    driver: request.driver,
    tier,
    groupId: `${request.groupId}-delay`,
    dlqTopic: request.dlqTopic,
    logger,
  });
  await Promise.all([main.start(), delay.start()]);
  await waitFor('both consumers to own their partitions', () =>
    main.readiness().ready && delay.readiness().ready ? true : undefined,
  );
  ready();
  await tally.done;
  await Promise.all([main.stop(), delay.stop()]);
  return tally.result();
}
