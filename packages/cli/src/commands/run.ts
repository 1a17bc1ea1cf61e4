import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { ConfigError, defaultLadderText, type ErrorClassifier } from '@ricochet/core';
import { parseBrokerList } from '@ricochet/kafka';
import { createLogger, logLevels, type LogLevel } from '@ricochet/logger';
import { createMainConsumer, type RecordHandler, type ValueDecoder } from '@ricochet/main-consumer';
import { createDelayConsumer } from '@ricochet/delay-consumer';
import { defaultStoreUrl, openArchiveStore } from '@ricochet/archive';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import { createValueDescriber } from '@ricochet/value-decoder';
import type { ExitCodeValue } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { runUntilSignalled } from '../service.js';

interface ServiceArguments {
  brokers?: string;
  dlq: string;
  'log-level': string;
  'log-format'?: string;
  'session-timeout-ms': number;
}

function serviceOptions<T>(yargs: Argv<T>): Argv<T & ServiceArguments> {
  return yargs
    .option('brokers', {
      type: 'string',
      describe: 'bootstrap servers host:port[,...] (default: KAFKA_BROKERS)',
    })
    .option('dlq', { type: 'string', default: 'dlq', describe: 'dead-letter topic' })
    .option('log-level', { type: 'string', default: 'info', choices: logLevels })
    .option('log-format', {
      type: 'string',
      choices: ['json', 'pretty'],
      describe: 'default: pretty on a terminal, JSON otherwise',
    })
    .option('session-timeout-ms', {
      type: 'number',
      default: 30_000,
      describe: 'group session timeout: how long a dead instance keeps its partitions',
    });
}

function serviceContext(argv: ServiceArguments, io: CliIo, service: string) {
  const brokersText = argv.brokers ?? io.environment.KAFKA_BROKERS;
  if (brokersText === undefined) {
    throw new ConfigError('brokers', 'give --brokers or set KAFKA_BROKERS');
  }
  const brokers = parseBrokerList(
    brokersText,
    argv.brokers === undefined ? 'KAFKA_BROKERS' : 'brokers',
  );
  const isTerminal = 'isTTY' in io.stderr && io.stderr.isTTY === true;
  const logger = createLogger({
    service,
    level: argv['log-level'] as LogLevel,
    format:
      argv['log-format'] === 'json' || argv['log-format'] === 'pretty'
        ? argv['log-format']
        : isTerminal
          ? 'pretty'
          : 'json',
    stream: io.stderr,
  });
  return { brokers, logger };
}

/** Loads the user's handler module: `export default` or `export const handler`, plus optional `classify` and `decode`. */
async function loadHandlerModule(path: string): Promise<{
  handler: RecordHandler<unknown>;
  classify: ErrorClassifier | undefined;
  decode: ValueDecoder<unknown> | undefined;
}> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError('handler', `cannot load ${path}`, { cause: error });
  }
  const handler = loaded.handler ?? loaded.default;
  if (typeof handler !== 'function') {
    throw new ConfigError(
      'handler',
      `${path} exports no handler function (export default or export const handler)`,
    );
  }
  const optionalFunction = <T>(name: string): T | undefined => {
    const value = loaded[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new ConfigError('handler', `${path} exports ${name}, but it is not a function`);
    }
    return value as T | undefined;
  };
  return {
    handler: handler as RecordHandler<unknown>,
    classify: optionalFunction<ErrorClassifier>('classify'),
    decode: optionalFunction<ValueDecoder<unknown>>('decode'),
  };
}

export function runCommand(io: CliIo, setExitCode: (code: ExitCodeValue) => void): CommandModule {
  return {
    command: 'run',
    describe: 'run one Ricochet service (main consumer, a delay tier) until SIGTERM',
    builder: (yargs) =>
      yargs
        .command({
          command: 'main',
          describe: 'consume source topics with your handler; failures go to the retry tiers',
          builder: (main) =>
            serviceOptions(main)
              .option('topic', {
                type: 'string',
                array: true,
                demandOption: true,
                describe: 'source topic (repeatable)',
              })
              .option('group', { type: 'string', demandOption: true, describe: 'consumer group' })
              .option('handler', {
                type: 'string',
                demandOption: true,
                describe: 'module exporting the handler',
              })
              .option('tiers', {
                type: 'string',
                default: defaultLadderText,
                describe: 'retry ladder',
              })
              .option('concurrency', {
                type: 'number',
                default: 1,
                describe: 'partitions handled at once',
              })
              .option('from-beginning', { type: 'boolean', default: false }),
          handler: async (argv) => {
            const { brokers, logger } = serviceContext(argv, io, 'main');
            const loaded = await loadHandlerModule(argv.handler);
            const consumer = createMainConsumer<unknown>({
              brokers,
              groupId: argv.group,
              topics: argv.topic,
              tiers: argv.tiers,
              dlqTopic: argv.dlq,
              logger,
              partitionsConsumedConcurrently: argv.concurrency,
              sessionTimeoutMilliseconds: argv['session-timeout-ms'],
              fromBeginning: argv['from-beginning'],
              handler: loaded.handler,
              ...(loaded.classify === undefined ? {} : { classify: loaded.classify }),
              ...(loaded.decode === undefined ? {} : { decode: loaded.decode }),
            });
            setExitCode(await runUntilSignalled(consumer, logger));
          },
        })
        .command({
          command: 'delay',
          describe: 'serve one retry tier: hold records until due, then redeliver them',
          builder: (delay) =>
            serviceOptions(delay)
              .option('tier', {
                type: 'string',
                demandOption: true,
                describe: 'tier topic (retry-5s) or delay (5s)',
              })
              .option('group', {
                type: 'string',
                describe: 'consumer group (default ricochet-delay-<tier>)',
              })
              .option('max-wait-ms', {
                type: 'number',
                default: 50,
                describe: 'longest fetch wait; bounds lateness',
              }),
          handler: async (argv) => {
            const { brokers, logger } = serviceContext(argv, io, 'delay');
            const consumer = createDelayConsumer({
              brokers,
              tier: argv.tier,
              dlqTopic: argv.dlq,
              logger,
              maxWaitTimeMilliseconds: argv['max-wait-ms'],
              sessionTimeoutMilliseconds: argv['session-timeout-ms'],
              ...(argv.group === undefined ? {} : { groupId: argv.group }),
            });
            setExitCode(await runUntilSignalled(consumer, logger));
          },
        })
        .command({
          command: 'dlq',
          describe: 'archive the dead-letter topic into SQLite or PostgreSQL',
          builder: (archiver) =>
            serviceOptions(archiver)
              .option('store', {
                type: 'string',
                describe: `archive URL (default: $RICOCHET_STORE, else ${defaultStoreUrl})`,
              })
              .option('registry', {
                type: 'string',
                describe: 'schema registry URL, to index decoded values for --grep',
              })
              .option('group', {
                type: 'string',
                describe: 'consumer group (default ricochet-dlq-archiver)',
              }),
          handler: async (argv) => {
            const { brokers, logger } = serviceContext(argv, io, 'dlq');
            const store = await openArchiveStore(
              argv.store ?? io.environment.RICOCHET_STORE ?? defaultStoreUrl,
              { logger },
            );
            const registryUrl = argv.registry ?? io.environment.SCHEMA_REGISTRY_URL;
            const describer = createValueDescriber({
              logger,
              ...(registryUrl === undefined ? {} : { registryUrl }),
            });
            try {
              const archiver = createDlqArchiver({
                brokers,
                dlqTopic: argv.dlq,
                store,
                logger,
                sessionTimeoutMilliseconds: argv['session-timeout-ms'],
                ...(argv.group === undefined ? {} : { groupId: argv.group }),
                searchableText: async (value) => {
                  const description = await describer.describe(value);
                  return ['binary', 'null', 'empty'].includes(description.format)
                    ? null
                    : description.text;
                },
              });
              setExitCode(await runUntilSignalled(archiver, logger));
            } finally {
              await store.close();
            }
          },
        })
        .demandCommand(1, 'name a role: main, delay or dlq'),
    handler: () => {},
  };
}
