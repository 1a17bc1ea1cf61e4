import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { formatTable } from '../../table.js';
import { filterFrom, withArchive, withFilterArguments, withStoreArguments } from './arguments.js';
import { isoTime } from './render.js';

export function statsCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'stats',
    describe: 'count archived records by original topic, error class and hour or day',
    builder: (yargs) =>
      withFilterArguments(withStoreArguments(yargs))
        .option('period', {
          type: 'string',
          choices: ['hour', 'day'] as const,
          default: 'hour' as const,
        })
        .option('json', { type: 'boolean', default: false }),
    run: async (argv) => {
      const stats = await withArchive(argv, io, 'read', ({ store }) =>
        store.stats(filterFrom(argv, Date.now()), argv.period),
      );
      if (argv.json) {
        writeLine(io.stdout, jsonText(stats, 2));
        return ExitCode.success;
      }
      writeLine(io.stdout, `${stats.total} archived record${stats.total === 1 ? '' : 's'}\n`);
      writeLine(
        io.stdout,
        formatTable(
          ['ORIGINAL TOPIC', 'COUNT'],
          stats.byOriginalTopic.map((row) => [row.originalTopic ?? '-', String(row.count)]),
        ),
      );
      writeLine(io.stdout);
      writeLine(
        io.stdout,
        formatTable(
          ['ERROR CLASS', 'COUNT'],
          stats.byErrorClass.map((row) => [row.errorClass ?? '-', String(row.count)]),
        ),
      );
      writeLine(io.stdout);
      writeLine(
        io.stdout,
        formatTable(
          [argv.period.toUpperCase(), 'COUNT'],
          stats.byPeriod.map((row) => [isoTime(row.periodStart), String(row.count)]),
        ),
      );
      return ExitCode.success;
    },
  });
}
