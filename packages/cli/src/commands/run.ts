import type { CommandModule } from 'yargs';
import type { CommandOutcome } from '../command-outcome.js';
import type { CliIo } from '../io.js';
import { runDelayCommand } from './run/delay.js';
import { runDlqCommand } from './run/dlq.js';
import { runMainCommand } from './run/main.js';

export function runCommand(io: CliIo, outcome: CommandOutcome): CommandModule {
  return {
    command: 'run',
    describe: 'run one Ricochet service (main consumer, a delay tier, the archiver) until SIGTERM',
    builder: (yargs) =>
      yargs
        .command(runMainCommand(io, outcome))
        .command(runDelayCommand(io, outcome))
        .command(runDlqCommand(io, outcome))
        .demandCommand(1, 'name a role: main, delay or dlq'),
    // Never reached: yargs runs the role's handler, or fails when none is named.
    handler: () => {},
  };
}
