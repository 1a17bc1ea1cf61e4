import {
  auditedPurge,
  type ArchiveFilter,
  type ArchiveStore,
  type AuditOrigin,
  type ReplayJob,
} from '@ricochet/archive';
import type { Logger } from '@ricochet/core';
import {
  claimReplayJob,
  createReplayJob,
  planReplay,
  ReplayBrokersUnreachableError,
  ReplayJobNotResumableError,
  runReplayJob,
  type ReplayActor,
  type ReplayPlan,
  type ReplayPublisher,
  type ReplayRequest,
  type SkippedRecord,
} from '@ricochet/replay';
import type { Principal } from './auth.js';
import { planRefusalsShown } from './defaults.js';
import { ConsoleRequestError } from './errors.js';

/** Where an action came from, as the audit records it. */
export type ActionOrigin = Extract<AuditOrigin, 'api' | 'ui'>;

/** A dry run as the console shows it: the plan, and why the first records left out were. */
export interface ConsolePlan extends ReplayPlan {
  readonly skipped: readonly SkippedRecord[];
}

/**
 * What operators do to the archive from the console. Every purge and every run of a replay job
 * appends an audit row naming the principal and the origin.
 */
export interface ConsoleActions {
  /** Purges the records a filter (or `{ ids }`) names; resolves to how many. */
  purge(target: ArchiveFilter, principal: Principal, origin: ActionOrigin): Promise<number>;
  /** The dry run: what a replay would do, with nothing sent and nothing written. */
  planReplay(request: ReplayRequest): Promise<ConsolePlan>;
  /** Creates a replay job and runs it in the background; resolves to the job as created. */
  startReplay(
    request: ReplayRequest,
    principal: Principal,
    origin: ActionOrigin,
  ): Promise<ReplayJob>;
  /** Stops a job this console runs, waiting until it has saved where it got to. */
  stopReplay(id: number, principal: Principal): Promise<ReplayJob>;
  /** Takes a stopped, failed or abandoned job over and runs it on from where it stopped. */
  resumeReplay(id: number, principal: Principal, origin: ActionOrigin): Promise<ReplayJob>;
  /** Whether this console runs the job now (and so can stop it). */
  runsHere(id: number): boolean;
  /** Stops every job it runs (each saved `stopped`, resumable) and closes the publisher. */
  close(): Promise<void>;
}

/** An empty filter would purge (or replay) the whole archive: a selection or a filter is needed. */
export function checkTarget(target: ArchiveFilter): ArchiveFilter {
  if (Object.keys(target).length === 0) {
    throw new ConsoleRequestError(400, 'choose a filter or select records first');
  }
  return target;
}

interface RunningJob {
  readonly stop: AbortController;
  readonly finished: Promise<void>;
}

/**
 * The console's actions. Replay jobs run in this process, each with its own AbortController;
 * one publisher serves them all, opened at the first replay (a console without brokers browses
 * and purges, and says why it cannot replay).
 */
export function createActions(
  store: ArchiveStore,
  logger: Logger,
  openPublisher: (() => Promise<ReplayPublisher>) | undefined,
): ConsoleActions {
  const running = new Map<number, RunningJob>();
  let publisher: Promise<ReplayPublisher> | undefined;

  async function connected(): Promise<ReplayPublisher> {
    if (openPublisher === undefined) {
      throw new ConsoleRequestError(
        503,
        'this console was started without brokers (--brokers or KAFKA_BROKERS): it cannot replay',
      );
    }
    publisher ??= openPublisher();
    try {
      return await publisher;
    } catch (error) {
      // The next replay tries again: the brokers may be back by then.
      publisher = undefined;
      if ((error as { code?: unknown }).code === ReplayBrokersUnreachableError.code) {
        throw new ConsoleRequestError(503, (error as Error).message, { cause: error });
      }
      throw error;
    }
  }

  /** Runs a job held by this process in the background until it ends or is stopped. */
  function run(job: ReplayJob, publish: ReplayPublisher['publish'], who: ReplayActor): void {
    const stop = new AbortController();
    const finished = runReplayJob({ store, publish, logger, who, signal: stop.signal }, job).then(
      () => undefined,
      // Nobody awaits a background run: its failure is saved on the job (state failed, with
      // the error, resumable) and in its audit row by the runner; here it is logged.
      (error: unknown) => logger.error('replay job failed', { replayJob: job.id, error }),
    );
    running.set(job.id, { stop, finished: finished.finally(() => running.delete(job.id)) });
  }

  const who = (principal: Principal, origin: ActionOrigin): ReplayActor => ({
    actor: principal.actor,
    origin,
  });

  async function jobOf(id: number): Promise<ReplayJob> {
    const job = await store.getReplayJob(id);
    if (job === undefined) {
      throw new ConsoleRequestError(404, `there is no replay job ${id}`);
    }
    return job;
  }

  return {
    purge: (target, principal, origin) =>
      auditedPurge(store, checkTarget(target), who(principal, origin), logger),

    async planReplay(request) {
      const skipped: SkippedRecord[] = [];
      const plan = await planReplay(store, request, {
        onSkipped: (item) => {
          if (skipped.length < planRefusalsShown) {
            skipped.push(item);
          }
        },
      });
      return { ...plan, skipped };
    },

    async startReplay(request, principal, origin) {
      const { publish } = await connected();
      const actor = who(principal, origin);
      const job = await createReplayJob(store, request, actor);
      run(job, publish, actor);
      return job;
    },

    async stopReplay(id, principal) {
      const job = running.get(id);
      if (job === undefined) {
        const saved = await jobOf(id);
        throw new ConsoleRequestError(
          409,
          saved.state === 'running'
            ? `replay job ${id} runs in another process (the CLI, or another console): stop it there`
            : `replay job ${id} is not running: it is ${saved.state}`,
        );
      }
      logger.info('replay job stop asked', { replayJob: id, actor: principal.actor });
      job.stop.abort();
      await job.finished;
      return jobOf(id);
    },

    async resumeReplay(id, principal, origin) {
      if (running.has(id)) {
        throw new ConsoleRequestError(409, `replay job ${id} is running in this console already`);
      }
      const { publish } = await connected();
      let job: ReplayJob;
      try {
        job = await claimReplayJob(store, id);
      } catch (error) {
        if ((error as { code?: unknown }).code === ReplayJobNotResumableError.code) {
          throw new ConsoleRequestError(409, (error as Error).message, { cause: error });
        }
        throw error;
      }
      run(job, publish, who(principal, origin));
      return job;
    },

    runsHere: (id) => running.has(id),

    async close() {
      const jobs = [...running.values()];
      jobs.forEach((job) => job.stop.abort());
      await Promise.all(jobs.map((job) => job.finished));
      const opened = publisher;
      publisher = undefined;
      if (opened !== undefined) {
        // One that failed to open has told the request that opened it; there is nothing to close.
        await opened.then(
          (connection) => connection.close(),
          () => undefined,
        );
      }
    },
  };
}
