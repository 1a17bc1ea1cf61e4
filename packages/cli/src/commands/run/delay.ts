import { createDelayConsumer } from '@ricochet/delay-consumer';
import { kafkaConnectionOptions } from '@ricochet/service-config';
import type { CommandOutcome } from '../../command-outcome.js';
import type { CliIo } from '../../io.js';
import { createMetrics, delayConsumerObserver } from '@ricochet/observability';
import { runObserved } from './observed-service.js';
import { serviceConfigFrom, withServiceFlags } from './service-flags.js';
import { startServiceLogger } from './service-logger.js';

export function runDelayCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'delay',
    describe: 'serve one retry tier: hold records until due, then redeliver them',
    builder: (yargs) => withServiceFlags(yargs, 'delay'),
    run: async (argv) => {
      const config = serviceConfigFrom('delay', argv, io);
      const logger = startServiceLogger(config, io);
      const metrics = createMetrics({ role: 'delay' });
      const observer = delayConsumerObserver(metrics, config.delay.tier);
      const consumer = createDelayConsumer({
        onEvent: observer.onEvent,
        ...kafkaConnectionOptions(config.kafka),
        tier: config.delay.tier,
        groupId: config.group,
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
      return runObserved(consumer, metrics, config, logger);
    },
  });
}
