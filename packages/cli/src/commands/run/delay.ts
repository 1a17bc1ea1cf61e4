import type { Logger } from '@ricochet/core';
import { createDelayConsumer, type DelayConsumer } from '@ricochet/delay-consumer';
import {
  kafkaConnectionOptions,
  type DelayServiceConfig,
  type DelayTierConfig,
} from '@ricochet/service-config';
import type { CommandOutcome } from '../../command-outcome.js';
import type { CliIo } from '../../io.js';
import { createMetrics, delayConsumerObserver, type ServiceMetrics } from '@ricochet/observability';
import { ServiceSet } from '../../service-set.js';
import { runObserved } from './observed-service.js';
import { serviceConfigFrom, withServiceFlags } from './service-flags.js';
import { startServiceLogger } from './service-logger.js';
import { exitOnSignalUntilRunning } from '../../service.js';

export function runDelayCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'delay',
    describe:
      'serve retry tiers (one, several, or all): hold records until due, then redeliver them',
    builder: (yargs) => withServiceFlags(yargs, 'delay'),
    run: async (argv) => {
      const config = serviceConfigFrom('delay', argv, io);
      const logger = startServiceLogger(config, io);
      exitOnSignalUntilRunning(logger);
      // One registry for the process: every tier's series carry its tier (or topic, group) label.
      const metrics = createMetrics({ role: 'delay' });
      const consumers = config.delay.tiers.map((tier) => ({
        name: tier.topic,
        service: tierConsumer(config, tier, metrics, logger),
      }));
      const [only] = consumers;
      const service =
        consumers.length === 1 && only !== undefined
          ? only.service
          : new ServiceSet(consumers, logger);
      return runObserved(service, metrics, config, logger);
    },
  });
}

/** Each tier its own consumer, group, holds and read-ahead, as when it runs in a process alone. */
function tierConsumer(
  config: DelayServiceConfig,
  tier: DelayTierConfig,
  metrics: ServiceMetrics,
  logger: Logger,
): DelayConsumer {
  const observer = delayConsumerObserver(metrics, tier.topic);
  const consumer = createDelayConsumer({
    onEvent: observer.onEvent,
    ...kafkaConnectionOptions(config.kafka),
    tier: tier.topic,
    groupId: tier.group,
    dlqTopic: config.dlqTopic,
    ...(config.delay.allowedTopics === undefined
      ? {}
      : { allowedTopics: config.delay.allowedTopics }),
    logger,
    maxWaitMilliseconds: config.delay.maxWaitMs,
    readAheadMilliseconds: config.delay.readAheadMs,
    readAheadBytes: config.delay.readAheadBytes,
    sessionTimeoutMilliseconds: config.sessionTimeoutMs,
    publishTimeoutMilliseconds: config.publishTimeoutMs,
  });
  observer.watch(consumer);
  return consumer;
}
