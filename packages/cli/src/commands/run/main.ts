import { createMainConsumer } from '@ricochet/main-consumer';
import { kafkaConnectionOptions, sourceOf } from '@ricochet/service-config';
import type { CommandOutcome } from '../../command-outcome.js';
import type { CliIo } from '../../io.js';
import { createMetrics, mainConsumerObserver } from '@ricochet/observability';
import { runObserved } from './observed-service.js';
import { loadHandlerModule } from './handler-module.js';
import { serviceConfigFrom, withServiceFlags } from './service-flags.js';
import { startServiceLogger } from './service-logger.js';
import { exitOnSignalUntilRunning } from '../../service.js';

export function runMainCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'main',
    describe: 'consume source topics with your handler; failures go to the retry tiers',
    builder: (yargs) => withServiceFlags(yargs, 'main'),
    run: async (argv) => {
      const config = serviceConfigFrom('main', argv, io);
      const logger = startServiceLogger(config, io);
      exitOnSignalUntilRunning(logger);
      const loaded = await loadHandlerModule(config.main.handler, sourceOf(config, 'main.handler'));
      const metrics = createMetrics({ role: 'main' });
      const observer = mainConsumerObserver(metrics);
      const consumer = createMainConsumer<unknown>({
        onOutcome: observer.onOutcome,
        onEvent: observer.onEvent,
        ...kafkaConnectionOptions(config.kafka),
        groupId: config.group,
        topics: config.main.topics,
        tiers: config.main.tiers,
        dlqTopic: config.dlqTopic,
        logger,
        concurrency: config.main.concurrency,
        ordering: config.main.ordering,
        redelivery: config.main.redelivery,
        onDeadLetter: config.main.onDeadLetter,
        maxWaitingPerKey: config.main.maxWaitingPerKey,
        maxInFlight: config.main.maxInFlight,
        revokeGraceMilliseconds: config.main.revokeGraceMs,
        sessionTimeoutMilliseconds: config.sessionTimeoutMs,
        maxWaitMilliseconds: config.main.maxWaitMs,
        maxBytesPerPartition: config.main.maxBytesPerPartition,
        publishTimeoutMilliseconds: config.publishTimeoutMs,
        fromBeginning: config.main.fromBeginning,
        handlerTimeoutMilliseconds: config.main.handlerTimeoutMs,
        stallTimeoutMilliseconds: config.main.stallTimeoutMs,
        maxHandlerCrashes: config.main.maxHandlerCrashes,
        deadLetterGuard: config.main.deadLetterGuard,
        handler: loaded.handler,
        ...(loaded.classify === undefined ? {} : { classify: loaded.classify }),
        ...(loaded.decode === undefined ? {} : { decode: loaded.decode }),
      });
      metrics.watchProgress(() => consumer.secondsWithoutProgress());
      observer.watch(consumer);
      // Always listened to: a stray SIGUSR2 (sent to a whole fleet, say) must not end a consumer
      // without a guard, as Node's default would.
      const resumeOnSignal = (): void => {
        if (consumer.resumeDeadLetterGuard()) {
          return;
        }
        logger.info('SIGUSR2: the dead-letter guard is not tripped; nothing to resume', {
          guard: config.main.deadLetterGuard === undefined ? 'off' : 'on',
        });
      };
      process.on('SIGUSR2', resumeOnSignal);
      try {
        return await runObserved(consumer, metrics, config, logger);
      } finally {
        process.off('SIGUSR2', resumeOnSignal);
      }
    },
  });
}
