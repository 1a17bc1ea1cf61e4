import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { commandsNamedBy, lazyCommand, withCommands, type LazyCommand } from '../lazy-command.js';

const runSubcommands: readonly LazyCommand[] = [
  lazyCommand('main', async () => (await import('./run/main.js')).runMainCommand),
  lazyCommand('delay', async () => (await import('./run/delay.js')).runDelayCommand),
  lazyCommand('dlq', async () => (await import('./run/dlq.js')).runDlqCommand),
];

export async function runCommand(
  io: CliIo,
  outcome: CommandOutcome,
  args: readonly string[],
): Promise<CommandModule> {
  const subcommands = await commandsNamedBy(runSubcommands, args, io, outcome);
  return {
    command: 'run',
    describe: 'run one Ricochet service (main consumer, a delay tier, the archiver) until SIGTERM',
    builder: (yargs) =>
      withCommands(yargs, subcommands).demandCommand(1, 'name a role: main, delay or dlq'),
    // Never reached: yargs runs the role's handler, or fails when none is named.
    handler: () => {},
  };
}
