import { checkLimit, recordAsJson } from '@ricochet/archive';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import type { CliIo } from '../../io.js';
import {
  filterFrom,
  withArchive,
  withFilterArguments,
  withPageArguments,
  withStoreArguments,
} from './arguments.js';
import { pageFrom, writePage } from './paged-output.js';
import { renderList } from './render.js';

export function listCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'list',
    describe: 'list archived dead letters, newest first',
    builder: (yargs) =>
      withPageArguments(withFilterArguments(withStoreArguments(yargs)), '{ records, nextCursor }'),
    run: async (argv) => {
      const filter = filterFrom(argv, Date.now());
      const page = pageFrom(argv, checkLimit);
      const { records, nextCursor } = await withArchive(argv, io, 'read', ({ store }) =>
        store.list(filter, page),
      );
      writePage(
        io,
        argv.json,
        { rows: records, nextCursor },
        {
          key: 'records',
          json: recordAsJson,
          table: renderList,
          none: 'no archived records match',
        },
      );
      return ExitCode.success;
    },
  });
}
