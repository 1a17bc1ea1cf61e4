import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { commandsNamedBy, lazyCommand, withCommands, type LazyCommand } from '../lazy-command.js';

const dlqSubcommands: readonly LazyCommand[] = [
  lazyCommand('list', async () => (await import('./dlq/list.js')).listCommand),
  lazyCommand('show', async () => (await import('./dlq/show.js')).showCommand),
  lazyCommand('stats', async () => (await import('./dlq/stats.js')).statsCommand),
  lazyCommand('replay', async () => (await import('./dlq/replay.js')).replayCommand),
  lazyCommand('export', async () => (await import('./dlq/export.js')).exportCommand),
  lazyCommand('purge', async () => (await import('./dlq/purge.js')).purgeCommand),
];

export async function dlqCommand(
  io: CliIo,
  outcome: CommandOutcome,
  args: readonly string[],
): Promise<CommandModule> {
  const subcommands = await commandsNamedBy(dlqSubcommands, args, io, outcome);
  return {
    command: 'dlq',
    describe: 'inspect, export, replay and purge the dead-letter archive',
    builder: (yargs) =>
      withCommands(yargs, subcommands).demandCommand(
        1,
        'name a dlq command: list, show, stats, replay, export or purge',
      ),
    handler: () => {},
  };
}
