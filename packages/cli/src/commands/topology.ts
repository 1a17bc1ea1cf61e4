import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { commandsNamedBy, lazyCommand, withCommands, type LazyCommand } from '../lazy-command.js';

const topologySubcommands: readonly LazyCommand[] = [
  lazyCommand('create', async () => (await import('./topology/create.js')).createCommand),
  lazyCommand('describe', async () => (await import('./topology/describe.js')).describeCommand),
  lazyCommand('verify', async () => (await import('./topology/verify.js')).verifyCommand),
  lazyCommand('delete', async () => (await import('./topology/delete.js')).deleteCommand),
];

export async function topologyCommand(
  io: CliIo,
  outcome: CommandOutcome,
  args: readonly string[],
): Promise<CommandModule> {
  const subcommands = await commandsNamedBy(topologySubcommands, args, io, outcome);
  return {
    command: 'topology',
    describe: 'create, describe, verify or delete the retry and dead-letter topics',
    builder: (yargs) =>
      withCommands(yargs, subcommands).demandCommand(
        1,
        'name a topology command: create, describe, verify or delete',
      ),
    // Never reached: yargs runs the subcommand's handler, or fails when none is named.
    handler: () => {},
  };
}
