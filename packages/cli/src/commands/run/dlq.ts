import { openArchiveStore } from '@ricochet/archive';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import { asSettingAsync, kafkaConnectionOptions, sourceOf } from '@ricochet/service-config';
import { createValueDescriber } from '@ricochet/value-decoder';
import type { CommandOutcome } from '../../command-outcome.js';
import type { CliIo } from '../../io.js';
import { archiverObserver, createMetrics } from '@ricochet/observability';
import { runObserved } from './observed-service.js';
import { serviceConfigFrom, withServiceFlags } from './service-flags.js';
import { startServiceLogger } from './service-logger.js';
import { exitOnSignalUntilRunning } from '../../service.js';

/** Formats the describer cannot render as text are not worth searching with --grep. */
const unsearchableFormats = new Set(['binary', 'null', 'empty']);

export function runDlqCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'dlq',
    describe: 'archive the dead-letter topic into SQLite or PostgreSQL',
    builder: (yargs) => withServiceFlags(yargs, 'dlq'),
    run: async (argv) => {
      const config = serviceConfigFrom('dlq', argv, io);
      const logger = startServiceLogger(config, io);
      exitOnSignalUntilRunning(logger);
      const store = await asSettingAsync(sourceOf(config, 'archiver.store'), () =>
        openArchiveStore(config.archiver.store, {
          logger,
          statementTimeoutMs: config.archiver.statementTimeoutMs,
        }),
      );
      const registryUrl = config.archiver.registry;
      const describer = createValueDescriber({
        logger,
        ...(registryUrl === undefined ? {} : { registryUrl }),
      });
      try {
        const metrics = createMetrics({ role: 'dlq' });
        const archiver = createDlqArchiver({
          ...archiverObserver(metrics, store.kind),
          ...kafkaConnectionOptions(config.kafka),
          dlqTopic: config.dlqTopic,
          groupId: config.group,
          store,
          format: config.archiver.format,
          logger,
          sessionTimeoutMilliseconds: config.sessionTimeoutMs,
          maxWaitMilliseconds: config.archiver.maxWaitMs,
          searchableText: async (value) => {
            const description = await describer.describe(value);
            return unsearchableFormats.has(description.format) ? null : description.text;
          },
        });
        return await runObserved(archiver, metrics, config, logger);
      } finally {
        await store.close();
      }
    },
  });
}
