import type { ReplayJob } from '@ricochet/archive';
import { escapeTerminalText } from '@ricochet/core';
import {
  claimReplayJob,
  createReplayJob,
  defaultMaxReplays,
  planReplay,
  ReplayJobFailedError,
  replayTarget,
  runReplayJob,
  type ReplayRequest,
  type SkippedRecord,
} from '@ricochet/replay';
import type { CommandOutcome } from '../../command-outcome.js';
import { connectionOptionsFrom } from '../../connection-options.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../../exit-codes.js';
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
import { createProgress } from './progress.js';
import { withConnectionFlags } from '../../setting-flags.js';
import { replayConnectionDefaults, withReplayProducer } from './replay-producer.js';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The counts of a job or a plan, as the summary line ends. */
function skippedText(refused: number, failed: number): string {
  return (
    (refused === 0 ? '' : `; refused ${refused} (loop guard)`) +
    (failed === 0 ? '' : `; failed ${failed} (not replayable)`)
  );
}

function printSkipped(io: CliIo): (skipped: SkippedRecord) => void {
  return (skipped) => writeLine(io.stderr, `skipped ${skipped.id}: ${skipped.reason}`);
}

function parseJobId(text: string): number {
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`--resume: "${text}" is not a replay job id (a positive whole number)`);
  }
  return id;
}

/**
 * Stops the run on SIGINT or SIGTERM, cleanly: the job is saved `stopped` where it got to. A
 * second signal is not waited on: the process then ends as the signal would end it.
 */
function stopOnSignals(io: CliIo, jobId: number): { signal: AbortSignal; detach: () => void } {
  const stop = new AbortController();
  const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const detach = (): void => signals.forEach((name) => process.off(name, onSignal));
  function onSignal(name: NodeJS.Signals): void {
    if (stop.signal.aborted) {
      detach();
      process.kill(process.pid, name);
      return;
    }
    writeLine(io.stderr, `stopping replay job ${jobId} (${name} again to quit at once)`);
    stop.abort();
  }
  signals.forEach((name) => process.on(name, onSignal));
  return { signal: stop.signal, detach };
}

export function replayCommand(io: CliIo, outcome: CommandOutcome) {
  return outcome.command({
    command: 'replay [ids..]',
    describe:
      'republish archived records to their original topics (by id, or by filter) as a job that can be stopped and resumed',
    builder: (yargs) =>
      withActorArgument(
        withConnectionFlags(
          withFilterArguments(withStoreArguments(yargs)),
          replayConnectionDefaults,
        ),
      )
        .positional('ids', { type: 'string', array: true, describe: 'archive ids' })
        .option('rate', {
          type: 'number',
          requiresArg: true,
          describe: 'at most this many records per second (default: no cap)',
        })
        .option('max-replays', {
          type: 'number',
          requiresArg: true,
          describe: `the loop guard: refuse a record already replayed this many times (default ${defaultMaxReplays})`,
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe:
            'replay what the loop guard refuses; by filter, records already replayed as well',
        })
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'count what would be replayed and show the first; send and write nothing',
        })
        .option('resume', {
          type: 'string',
          requiresArg: true,
          describe: 'continue a stopped or failed replay job where it stopped (its id)',
        }),
    run: async (argv) => {
      const ids = parseIds(argv.ids ?? []);
      const filter = filterFrom(argv, Date.now());
      const resumeId = argv.resume === undefined ? undefined : parseJobId(argv.resume);
      if (resumeId !== undefined) {
        const settings = [argv.rate, argv.maxReplays].some((value) => value !== undefined);
        if (ids.length > 0 || !isEmptyFilter(filter) || settings || argv.force || argv.dryRun) {
          throw new UsageError(
            '--resume continues a job with its own records and settings: give it without ids, filters, --rate, --max-replays, --force or --dry-run',
          );
        }
      } else if (ids.length === 0 && isEmptyFilter(filter)) {
        throw new UsageError(
          'name archive ids, or a filter such as --topic, --error-class or --status archived',
        );
      }
      const target = replayTarget(ids, filter, argv.force);
      const request: ReplayRequest = {
        target,
        ratePerSecond: argv.rate ?? null,
        ...(argv.maxReplays === undefined ? {} : { maxReplays: argv.maxReplays }),
        force: argv.force,
      };
      if (argv.dryRun) {
        return withArchive(argv, io, 'read', async ({ store }) => {
          const plan = await planReplay(store, request, { onSkipped: printSkipped(io) });
          for (const { id, outgoing } of plan.sample) {
            writeLine(io.stdout, `would replay ${id} to ${escapeTerminalText(outgoing.topic)}`);
          }
          const shown =
            plan.replay > plan.sample.length ? ` (the first ${plan.sample.length} shown)` : '';
          writeLine(
            io.stdout,
            `would replay ${plural(plan.replay, 'record')}${shown}${skippedText(plan.refused, plan.failed)}`,
          );
          return plan.refused + plan.failed === 0 ? ExitCode.success : ExitCode.failure;
        });
      }
      const connection = connectionOptionsFrom(argv, io, replayConnectionDefaults);
      const who = { actor: actorFrom(argv, io), origin: 'cli' } as const;
      return withArchive(argv, io, 'update', ({ store, logger }) =>
        withReplayProducer(connection, logger, async (publisher) => {
          const job =
            resumeId === undefined
              ? await createReplayJob(store, request, who)
              : await claimReplayJob(store, resumeId);
          writeLine(
            io.stderr,
            `replay job ${job.id}: ${plural(job.total, 'record')}` +
              (job.cursor === null ? '' : `, resuming after id ${job.cursor}`) +
              `; stop it with Ctrl-C, continue it with --resume ${job.id}`,
          );
          const progress = createProgress(io.stderr, job.total);
          const stop = stopOnSignals(io, job.id);
          let finished: ReplayJob;
          try {
            finished = await runReplayJob(
              {
                store,
                publish: publisher.publish,
                logger,
                who,
                signal: stop.signal,
                onProgress: (saved) => progress.tick(saved.replayed + saved.refused + saved.failed),
                onSkipped: printSkipped(io),
              },
              job,
            );
          } catch (error) {
            if ((error as { code?: unknown }).code === ReplayJobFailedError.code) {
              writeLine(io.stderr, `continue it with: ricochet dlq replay --resume ${job.id}`);
            }
            throw error;
          } finally {
            progress.stop();
            stop.detach();
          }
          return summarize(io, finished);
        }),
      );
    },
  });
}

function summarize(io: CliIo, job: ReplayJob): ExitCodeValue {
  const counts = `replayed ${plural(job.replayed, 'record')}${skippedText(job.refused, job.failed)}`;
  if (job.state === 'done') {
    writeLine(io.stdout, `${counts} (replay job ${job.id}, done)`);
    return job.refused + job.failed === 0 ? ExitCode.success : ExitCode.failure;
  }
  writeLine(
    io.stdout,
    `${counts} (replay job ${job.id}, ${job.state}); continue it with: ricochet dlq replay --resume ${job.id}`,
  );
  return ExitCode.failure;
}
