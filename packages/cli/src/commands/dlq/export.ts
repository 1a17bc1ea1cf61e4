import { recordAsJson } from '@ricochet/archive';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import { jsonText, writeLine, type CliIo } from '../../io.js';
import { filterFrom, withArchive, withFilterArguments, withStoreArguments } from './arguments.js';

const csvColumns = [
  'id',
  'status',
  'archivedAt',
  'originalTopic',
  'originalPartition',
  'originalOffset',
  'originalTimestamp',
  'retryGroup',
  'tryCount',
  'deadLetterReason',
  'errorClass',
  'errorMessage',
  'firstFailureAt',
  'lastFailureAt',
  'replayCount',
  'key',
  'value',
  'headers',
] as const;

/** CSV holds one line per record: bytes as UTF-8 where they are text, else base64; headers as JSON. */
function csvRow(json: Record<string, unknown>): unknown[] {
  const bytes = (value: unknown): string => {
    const field = value as { utf8?: string; base64: string } | null;
    return field === null ? '' : (field.utf8 ?? `base64:${field.base64}`);
  };
  return csvColumns.map((column) =>
    column === 'key' || column === 'value'
      ? bytes(json[column])
      : column === 'headers'
        ? JSON.stringify(json.headers)
        : json[column],
  );
}

/**
 * A cell beginning with =, +, -, @, tab or carriage return is a formula to a spreadsheet: the
 * library prefixes it with a quote (OWASP's advice), as record data must never run there.
 */
const csvOptions = { escape_formulas: true } as const;

export function exportCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'export',
    describe: 'write matching archived records as JSON Lines or CSV',
    builder: (yargs) =>
      withFilterArguments(withStoreArguments(yargs))
        .option('format', {
          type: 'string',
          choices: ['jsonl', 'csv'] as const,
          default: 'jsonl' as const,
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'file to write (default: standard output)',
        }),
    run: async (argv) => {
      const filter = filterFrom(argv, Date.now());
      const output = argv.output === undefined ? io.stdout : createWriteStream(argv.output);
      let count = 0;
      await withArchive(argv, io, 'read', async ({ store }) => {
        if (argv.format === 'csv') {
          output.write(stringify([[...csvColumns]], csvOptions));
        }
        for await (const record of store.iterate(filter)) {
          const json = recordAsJson(record);
          output.write(
            argv.format === 'csv' ? stringify([csvRow(json)], csvOptions) : `${jsonText(json)}\n`,
          );
          count += 1;
        }
      });
      if (argv.output !== undefined) {
        const file = output as ReturnType<typeof createWriteStream>;
        file.end();
        await once(file, 'finish');
        writeLine(io.stderr, `exported ${count} record${count === 1 ? '' : 's'} to ${argv.output}`);
      }
      return ExitCode.success;
    },
  });
}
