import { checkLimit, recordAsJson } from '@ricochet/archive';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { filterFrom, withArchive, withFilterArguments, withStoreArguments } from './arguments.js';
import { renderList } from './render.js';

export function listCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'list',
    describe: 'list archived dead letters, newest first',
    builder: (yargs) =>
      withFilterArguments(withStoreArguments(yargs))
        .option('limit', {
          type: 'number',
          default: 50,
          // Without it, a bare --limit silently meant the default.
          requiresArg: true,
          describe: 'records per page',
        })
        .option('cursor', {
          type: 'string',
          requiresArg: true,
          describe: 'the next-page cursor a previous list printed',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'write JSON: { records, nextCursor }',
        }),
    run: async (argv) => {
      const filter = filterFrom(argv, Date.now());
      const limit = checkLimit('--limit', argv.limit);
      const page = await withArchive(argv, io, 'read', ({ store }) =>
        store.list(filter, {
          limit,
          ...(argv.cursor === undefined ? {} : { cursor: argv.cursor }),
        }),
      );
      if (argv.json) {
        writeLine(
          io.stdout,
          jsonText(
            { records: page.records.map(recordAsJson), nextCursor: page.nextCursor ?? null },
            2,
          ),
        );
      } else if (page.records.length === 0) {
        writeLine(io.stdout, 'no archived records match');
      } else {
        writeLine(io.stdout, renderList(page.records));
        if (page.nextCursor !== undefined) {
          writeLine(io.stdout, `more: --cursor ${page.nextCursor}`);
        }
      }
      return ExitCode.success;
    },
  });
}
