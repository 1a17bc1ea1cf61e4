import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { ConfigError } from '@ricochet/core';
import { parseStoreUrl } from '@ricochet/archive';
import {
  asSetting,
  redactConfig,
  serviceRoles,
  sourceOf,
  type ServiceConfig,
  type ServiceRole,
} from '@ricochet/service-config';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { serviceConfigFrom, withServiceFlags } from '../run/service-flags.js';

export function configCheckCommand(io: CliIo, outcome: CommandOutcome): CommandModule {
  return {
    command: 'check',
    describe: 'validate the settings of a service without starting it, and print them redacted',
    builder: (yargs) => {
      const withRoles = serviceRoles.reduce(
        (parser, role) => parser.command(roleCheckCommand(role, io, outcome)),
        yargs,
      );
      return withRoles.demandCommand(1, 'name a role: main, delay or dlq');
    },
    handler: () => {},
  };
}

function roleCheckCommand(role: ServiceRole, io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: role,
    describe: `check the settings ricochet run ${role} would start with (no Kafka connection)`,
    builder: (yargs) =>
      withServiceFlags(yargs, role).option('json', {
        type: 'boolean',
        default: false,
        describe: 'print JSON instead of YAML',
      }),
    run: async (argv) => {
      const config = serviceConfigFrom(role, argv, io);
      checkWithoutStarting(config);
      const shown = redactConfig(config);
      // An unset optional setting prints as null, so that every setting shows.
      const nullWhenUnset = (_key: unknown, value: unknown) => (value === undefined ? null : value);
      writeLine(
        io.stdout,
        argv.json ? jsonText(shown, 2, nullWhenUnset) : stringify(shown, nullWhenUnset).trimEnd(),
      );
      return ExitCode.success;
    },
  });
}

/**
 * What starting would check beyond the settings themselves, short of running anything: the
 * handler module is not imported (that runs your code), only looked for.
 */
function checkWithoutStarting(config: ServiceConfig): void {
  if (config.role === 'main' && !existsSync(config.main.handler)) {
    throw new ConfigError(
      sourceOf(config, 'main.handler'),
      `${config.main.handler} does not exist`,
    );
  }
  if (config.role === 'dlq') {
    asSetting(sourceOf(config, 'archiver.store'), () => parseStoreUrl(config.archiver.store));
  }
}
