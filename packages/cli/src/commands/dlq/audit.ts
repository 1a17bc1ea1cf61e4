import { checkLimit, type AuditAction, type AuditEntry } from '@ricochet/archive';
import { parseTimeBound, truncateText } from '@ricochet/core';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import type { CliIo } from '../../io.js';
import { formatTable } from '../../table.js';
import { withArchive, withPageArguments, withStoreArguments } from './arguments.js';
import { pageFrom, writePage } from './paged-output.js';
import { isoTime } from './render.js';

const auditActions: readonly AuditAction[] = ['replay', 'purge'];

function renderAudit(entries: readonly AuditEntry[]): string {
  return formatTable(
    ['ID', 'AT', 'ACTOR', 'ORIGIN', 'ACTION', 'JOB', 'TARGET', 'OUTCOME'],
    entries.map((entry) => [
      String(entry.id),
      isoTime(entry.at),
      entry.actor,
      entry.origin,
      entry.action,
      entry.jobId === null ? '-' : String(entry.jobId),
      truncateText(JSON.stringify(entry.target), 50),
      truncateText(JSON.stringify(entry.outcome), 80),
    ]),
  );
}

export function auditCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'audit',
    describe: 'list who replayed and purged what, and the outcome, newest first',
    builder: (yargs) =>
      withPageArguments(withStoreArguments(yargs), '{ entries, nextCursor }')
        .option('action', { type: 'string', choices: auditActions, describe: 'replay or purge' })
        .option('actor', { type: 'string', requiresArg: true, describe: 'who acted' })
        .option('since', {
          type: 'string',
          describe: 'at or after: a duration ago (2h) or an ISO time',
        }),
    run: async (argv) => {
      const page = pageFrom(argv, checkLimit);
      const filter = {
        ...(argv.action === undefined ? {} : { action: argv.action as AuditAction }),
        ...(argv.actor === undefined ? {} : { actor: argv.actor }),
        ...(argv.since === undefined
          ? {}
          : { since: parseTimeBound(argv.since, Date.now(), '--since') }),
      };
      const { entries, nextCursor } = await withArchive(argv, io, 'read', ({ store }) =>
        store.listAudit(filter, page),
      );
      writePage(
        io,
        argv.json,
        { rows: entries, nextCursor },
        {
          key: 'entries',
          json: (entry) => entry,
          table: renderAudit,
          none: 'no audit entries match',
        },
      );
      return ExitCode.success;
    },
  });
}
