import { userInfo } from 'node:os';
import { defaultStoreUrl, openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import {
  ConsoleEnvironment,
  credentialsFromEnvironment,
  checkBind,
  defaultConsoleHost,
  defaultConsolePort,
  startConsole,
  type RunningConsole,
} from '@ricochet/console';
import { boundedIntegerOption, ConfigError, nonEmptyTextOption } from '@ricochet/core';
import { createLogger, logLevels, type LogLevel } from '@ricochet/logger';
import { createValueDescriber } from '@ricochet/value-decoder';
import { openReplayPublisher } from '@ricochet/replay';
import {
  kafkaConnectionOptions,
  loadOptionalConnectionConfig,
  type ConnectionDefaults,
} from '@ricochet/service-config';
import type { CommandOutcome } from '../command-outcome.js';
import { commandLineConnectRetry } from '../connection-options.js';
import { writeLine, type CliIo } from '../io.js';
import { runUntilSignalled } from '../service.js';
import { withConnectionFlags } from '../setting-flags.js';

/**
 * The replay producer's connection defaults: an operator waits on the replay page, so a wrong
 * address must fail in seconds.
 */
const consoleReplayConnectionDefaults: ConnectionDefaults = {
  clientId: 'ricochet-console-replay',
  connectionTimeoutMs: 2_000,
};

/** How long the console may take to close its connections and the archive on SIGTERM. */
const shutdownTimeoutMs = 10_000;

export function consoleCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'console',
    describe:
      'serve the dead-letter console: web pages and a JSON API over the archive; replays need --brokers (or KAFKA_BROKERS, or the config file), without them it browses and purges only',
    builder: (yargs) =>
      // The connection flags (--brokers, SASL, TLS), resolved as `dlq replay` resolves them.
      withConnectionFlags(yargs, consoleReplayConnectionDefaults)
        .option('store', {
          type: 'string',
          describe: `the archive: sqlite:<file> or postgres://... (default: $RICOCHET_STORE, else ${defaultStoreUrl})`,
        })
        .option('registry', {
          type: 'string',
          describe: 'schema registry URL, to decode framed values (default: $SCHEMA_REGISTRY_URL)',
        })
        .option('host', {
          type: 'string',
          default: defaultConsoleHost,
          describe: `address to bind; any but a loopback one needs ${ConsoleEnvironment.operatorToken}, ${ConsoleEnvironment.viewerToken} or ${ConsoleEnvironment.users}`,
        })
        .option('port', {
          type: 'number',
          default: defaultConsolePort,
          describe: 'port (0: any free)',
        })
        .option('log-level', { type: 'string', choices: logLevels, default: 'info' })
        .option('log-format', { type: 'string', choices: ['pretty', 'json'], default: 'pretty' }),
    run: async (argv) => {
      // Every setting is checked before anything opens, each error naming its flag or variable.
      const host = nonEmptyTextOption('--host', argv.host);
      const port = boundedIntegerOption('--port', argv.port, defaultConsolePort, {
        minimum: 0,
        maximum: 65_535,
      });
      const credentials = credentialsFromEnvironment(io.environment);
      // Without brokers the console browses and purges, and says why it cannot replay.
      const replayConnection = loadOptionalConnectionConfig(
        { flags: argv as Record<string, unknown>, environment: io.environment },
        consoleReplayConnectionDefaults,
      );
      checkBind(host, credentials);
      const storeUrl = argv.store ?? io.environment.RICOCHET_STORE ?? defaultStoreUrl;
      const registryUrl = argv.registry ?? io.environment.SCHEMA_REGISTRY_URL;
      const sessionSecret = io.environment[ConsoleEnvironment.sessionSecret];
      if (sessionSecret !== undefined && sessionSecret.length < 32) {
        throw new ConfigError(ConsoleEnvironment.sessionSecret, 'must be at least 32 characters');
      }
      const logger = createLogger({
        service: 'console',
        level: argv.logLevel as LogLevel,
        format: argv.logFormat === 'json' ? 'json' : 'pretty',
        stream: io.stderr,
      });
      let store: ArchiveStore | undefined;
      let running: RunningConsole | undefined;
      const service = {
        state: 'starting',
        failure: undefined as unknown,
        async start() {
          store = await openArchiveStore(storeUrl, { logger, access: 'update' });
          running = await startConsole({
            store,
            describer: createValueDescriber({
              logger,
              ...(registryUrl === undefined ? {} : { registryUrl }),
            }),
            logger,
            credentials,
            host,
            port,
            localActor: userInfo().username,
            ...(sessionSecret === undefined ? {} : { sessionSecret }),
            ...(replayConnection === undefined
              ? {}
              : {
                  openPublisher: () =>
                    openReplayPublisher({
                      ...kafkaConnectionOptions(replayConnection.kafka),
                      logger,
                      retry: commandLineConnectRetry,
                    }),
                }),
          });
          service.state = 'running';
          writeLine(io.stdout, `console at ${running.url}`);
        },
        async stop() {
          service.state = 'stopping';
          await running?.close();
          await store?.close();
          service.state = 'stopped';
        },
      };
      return runUntilSignalled(service, logger, { shutdownTimeoutMs });
    },
  });
}
