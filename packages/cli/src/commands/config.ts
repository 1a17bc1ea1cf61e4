import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { configCheckCommand } from './config/check.js';

export function configCommand(io: CliIo, outcome: CommandOutcome): CommandModule {
  return {
    command: 'config',
    describe: 'check the settings of a service',
    builder: (yargs) =>
      yargs
        .command(configCheckCommand(io, outcome))
        .demandCommand(1, 'name a config command: check'),
    handler: () => {},
  };
}
