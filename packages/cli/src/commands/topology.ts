import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { createCommand } from './topology/create.js';
import { deleteCommand } from './topology/delete.js';
import { describeCommand } from './topology/describe.js';
import { verifyCommand } from './topology/verify.js';

export function topologyCommand(io: CliIo, outcome: CommandOutcome): CommandModule {
  return {
    command: 'topology',
    describe: 'create, describe, verify or delete the retry and dead-letter topics',
    builder: (yargs) =>
      yargs
        .command(createCommand(io, outcome))
        .command(describeCommand(io, outcome))
        .command(verifyCommand(io, outcome))
        .command(deleteCommand(io, outcome))
        .demandCommand(1, 'name a topology command: create, describe, verify or delete'),
    // Never reached: yargs runs the subcommand's handler, or fails when none is named.
    handler: () => {},
  };
}
