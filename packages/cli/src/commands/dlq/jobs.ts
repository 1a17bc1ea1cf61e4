import { checkLimit, type ReplayJob, type ReplayJobState } from '@ricochet/archive';
import { truncateText } from '@ricochet/core';
import { replayJobAsJson } from '@ricochet/replay';
import type { CommandOutcome } from '../../command-outcome.js';
import { ExitCode } from '../../exit-codes.js';
import type { CliIo } from '../../io.js';
import { formatTable } from '../../table.js';
import { withArchive, withPageArguments, withStoreArguments } from './arguments.js';
import { pageFrom, writePage } from './paged-output.js';
import { isoTime } from './render.js';

const jobStates: readonly ReplayJobState[] = ['running', 'stopped', 'done', 'failed'];

function renderJobs(jobs: readonly ReplayJob[]): string {
  return formatTable(
    [
      'ID',
      'CREATED AT',
      'ACTOR',
      'STATE',
      'REPLAYED',
      'REFUSED',
      'FAILED',
      'TOTAL',
      'RATE',
      'TARGET',
    ],
    jobs.map((job) => [
      String(job.id),
      isoTime(job.createdAt),
      job.actor,
      job.state + (job.error === null ? '' : `: ${truncateText(job.error, 40)}`),
      String(job.replayed),
      String(job.refused),
      String(job.failed),
      String(job.total),
      job.ratePerSecond === null ? '-' : `${job.ratePerSecond}/s`,
      truncateText(JSON.stringify(job.target), 60),
    ]),
  );
}

export function jobsCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'jobs',
    describe:
      'list replay jobs, newest first (resume a stopped or failed one with replay --resume)',
    builder: (yargs) =>
      withPageArguments(withStoreArguments(yargs), '{ jobs, nextCursor }').option('state', {
        type: 'string',
        choices: jobStates,
        describe: 'only jobs in this state',
      }),
    run: async (argv) => {
      const page = pageFrom(argv, checkLimit);
      const state = argv.state as ReplayJobState | undefined;
      const { jobs, nextCursor } = await withArchive(argv, io, 'read', ({ store }) =>
        store.listReplayJobs(state === undefined ? {} : { state }, page),
      );
      writePage(
        io,
        argv.json,
        { rows: jobs, nextCursor },
        {
          key: 'jobs',
          json: replayJobAsJson,
          table: renderJobs,
          none: 'no replay jobs',
        },
      );
      return ExitCode.success;
    },
  });
}
