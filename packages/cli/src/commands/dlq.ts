import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { exportCommand } from './dlq/export.js';
import { listCommand } from './dlq/list.js';
import { purgeCommand } from './dlq/purge.js';
import { replayCommand } from './dlq/replay.js';
import { showCommand } from './dlq/show.js';
import { statsCommand } from './dlq/stats.js';

export function dlqCommand(io: CliIo, outcome: CommandOutcome): CommandModule {
  return {
    command: 'dlq',
    describe: 'inspect, export, replay and purge the dead-letter archive',
    builder: (yargs) =>
      yargs
        .command(listCommand(io, outcome))
        .command(showCommand(io, outcome))
        .command(statsCommand(io, outcome))
        .command(replayCommand(io, outcome))
        .command(exportCommand(io, outcome))
        .command(purgeCommand(io, outcome))
        .demandCommand(1, 'name a dlq command: list, show, stats, replay, export or purge'),
    handler: () => {},
  };
}
