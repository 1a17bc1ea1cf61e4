import { createInterface } from 'node:readline/promises';
import { auditedPurge } from '@ricochet/archive';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode, UsageError } from '../../exit-codes.js';
import { writeLine, type CliIo } from '../../io.js';
import {
  actorFrom,
  filterFrom,
  isEmptyFilter,
  parseIds,
  withActorArgument,
  withArchive,
  withFilterArguments,
  withStoreArguments,
} from './arguments.js';

async function confirmed(io: CliIo, question: string): Promise<boolean> {
  const input = io.stdin;
  if (input === undefined || !('isTTY' in input) || input.isTTY !== true) {
    throw new UsageError(
      'purge asks for confirmation on a terminal; pass --yes to purge without asking',
    );
  }
  const prompt = createInterface({ input, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export function purgeCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'purge [ids..]',
    describe:
      "drop matching records' keys, values and headers, keeping their metadata (status purged)",
    builder: (yargs) =>
      withActorArgument(withFilterArguments(withStoreArguments(yargs)))
        .positional('ids', { type: 'string', array: true, describe: 'archive ids' })
        .option('yes', {
          type: 'boolean',
          default: false,
          describe: 'do not ask for confirmation',
        }),
    run: async (argv) => {
      const ids = parseIds(argv.ids ?? []);
      const filter = { ...filterFrom(argv, Date.now()), ...(ids.length === 0 ? {} : { ids }) };
      if (isEmptyFilter(filter)) {
        throw new UsageError(
          'name archive ids or a filter; purge never takes the whole archive by default',
        );
      }
      const actor = actorFrom(argv, io);
      const purged = await withArchive(argv, io, 'update', async ({ store, logger }) => {
        if (!argv.yes) {
          const matching = await store.count(filter);
          if (!(await confirmed(io, `Purge ${matching} record${matching === 1 ? '' : 's'}?`))) {
            return undefined;
          }
        }
        return auditedPurge(store, filter, { actor, origin: 'cli' }, logger);
      });
      writeLine(
        io.stdout,
        purged === undefined
          ? 'nothing purged'
          : `purged ${purged} record${purged === 1 ? '' : 's'}`,
      );
      return ExitCode.success;
    },
  });
}
