import { recordAsJson } from '@ricochet/archive';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode, UsageError } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { parseIds, withArchive, withStoreArguments } from './arguments.js';
import { renderRecord } from './render.js';

export function showCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'show <id>',
    describe: 'show one archived record: every field, its headers and its value decoded for people',
    builder: (yargs) =>
      withStoreArguments(yargs)
        .positional('id', { type: 'string', demandOption: true, describe: 'archive id' })
        .option('json', { type: 'boolean', default: false }),
    run: async (argv) => {
      const [id] = parseIds([argv.id]);
      await withArchive(argv, io, 'read', async ({ store, describer }) => {
        const record = await store.get(id!);
        if (record === undefined) {
          throw new UsageError(`no archived record has id ${id}`);
        }
        const value = await describer.describe(record.value);
        writeLine(
          io.stdout,
          argv.json
            ? jsonText({ ...recordAsJson(record), decodedValue: value }, 2)
            : renderRecord(record, value),
        );
      });
      return ExitCode.success;
    },
  });
}
