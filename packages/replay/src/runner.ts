import {
  ReplayJobNotHeldError,
  type ArchiveStore,
  type ReplayJob,
  type ReplayJobState,
} from '@ricochet/archive';
import type { Logger, OutgoingRecord } from '@ricochet/core';
import { defaultChunkSize, progressIntervalMs } from './defaults.js';
import { ReplayJobFailedError } from './errors.js';
import type { ReplayActor } from './jobs.js';
import { decideItem } from './loop-guard.js';
import { batchSize, nextSendAt } from './pacing.js';
import { walkChunks } from './walk.js';

/** A record the run did not replay, and why. */
export interface SkippedRecord {
  readonly id: number;
  readonly kind: 'refused' | 'failed';
  readonly reason: string;
}

export interface ReplayRunOptions {
  readonly store: ArchiveStore;
  /** Publishes a batch, resolving once all of it is acknowledged (see ReplayPublisher). */
  readonly publish: (records: readonly OutgoingRecord[]) => Promise<void>;
  readonly logger: Logger;
  /** Who runs this run: a resumed job may be run by another than its creator. */
  readonly who: ReplayActor;
  /** Stops the run cleanly: progress saved, state `stopped`, resumable. */
  readonly signal?: AbortSignal;
  readonly chunkSize?: number;
  /** Called after every progress save with the job as saved. */
  readonly onProgress?: (job: ReplayJob) => void;
  readonly onSkipped?: (skipped: SkippedRecord) => void;
  /** The pacing clock; Date.now by default. */
  readonly now?: () => number;
}

/** Resolves once `milliseconds` have passed or `signal` aborts, whichever is first. */
function pause(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Runs a job held by this run (from createReplayJob or claimReplayJob) until it is done, stopped
 * by the signal, or fails. Records go in ascending id order, in paced batches; after a batch is
 * acknowledged its records count as replayed, and at least every progressIntervalMs (and at the
 * end of each chunk) one transaction marks them replayed in the archive and saves the cursor and
 * counts. A stop or a failure saves exactly how far it got; only a crash can make a resumed job
 * send again what was sent since the last save. Each run appends one audit row with its own
 * counts. Resolves to the job as saved; a failure saves the job as `failed` and rejects with
 * ReplayJobFailedError.
 */
export async function runReplayJob(options: ReplayRunOptions, job: ReplayJob): Promise<ReplayJob> {
  const { store, publish, signal } = options;
  const now = options.now ?? Date.now;
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const runner = job.runner;
  if (job.state !== 'running' || runner === null) {
    throw new ReplayJobNotHeldError(job.id);
  }
  const logger = options.logger.child({ replayJob: job.id });
  const guard = { maxReplays: job.maxReplays, force: job.force };
  const totals = { replayed: job.replayed, refused: job.refused, failed: job.failed };
  const thisRun = { replayed: 0, refused: 0, failed: 0 };
  let cursor = job.cursor;
  let replayedIds: number[] = [];
  let saved = job;
  let savedAt = now();
  let sendAt = now();
  let batch: Array<{ readonly id: number; readonly outgoing: OutgoingRecord }> = [];
  const perBatch = batchSize(job.ratePerSecond, chunkSize);

  const save = async (state: ReplayJobState, error?: string): Promise<void> => {
    saved = await store.updateReplayJob(job.id, runner, {
      cursor,
      ...totals,
      replayedIds,
      state,
      ...(error === undefined ? {} : { error }),
    });
    replayedIds = [];
    savedAt = now();
    options.onProgress?.(saved);
  };
  const saveIfDue = async (): Promise<void> => {
    if (now() - savedAt >= progressIntervalMs) {
      await save('running');
    }
  };
  const audit = async (state: string, error?: string): Promise<void> => {
    await store.appendAudit({
      actor: options.who.actor,
      origin: options.who.origin,
      action: 'replay',
      target: job.target,
      outcome: { state, ...thisRun, ...(error === undefined ? {} : { error }) },
      jobId: job.id,
    });
  };
  /** Sends the batch when its time comes; false when stopped first (the batch is not sent). */
  const send = async (): Promise<boolean> => {
    const last = batch.at(-1);
    if (last === undefined) {
      return signal?.aborted !== true;
    }
    // Waits in slices, saving on the way: a slow rate must not make the job look abandoned.
    for (let wait = sendAt - now(); wait > 0 && signal?.aborted !== true; wait = sendAt - now()) {
      await pause(Math.min(wait, progressIntervalMs), signal);
      await saveIfDue();
    }
    if (signal?.aborted === true) {
      return false;
    }
    const startedAt = now();
    await publish(batch.map((entry) => entry.outgoing));
    sendAt = nextSendAt(job.ratePerSecond, sendAt, startedAt, batch.length);
    totals.replayed += batch.length;
    thisRun.replayed += batch.length;
    replayedIds.push(...batch.map((entry) => entry.id));
    cursor = last.id;
    batch = [];
    await saveIfDue();
    return true;
  };

  const finish = async (state: ReplayJobState): Promise<ReplayJob> => {
    await save(state);
    await audit(state);
    logger.info('replay job run ended', { state, ...thisRun });
    return saved;
  };

  logger.info('replay job run started', { cursor, target: job.target });
  try {
    for await (const items of walkChunks(store, job, cursor ?? 0, chunkSize)) {
      for (const { id, record } of items) {
        if (signal?.aborted === true) {
          return await finish('stopped');
        }
        const decision = decideItem(record, guard);
        if (decision.kind === 'replay') {
          batch.push({ id, outgoing: decision.outgoing });
          if (batch.length >= perBatch && !(await send())) {
            return await finish('stopped');
          }
          continue;
        }
        // What comes before it is sent first, so the cursor never passes an unsent record.
        if (!(await send())) {
          return await finish('stopped');
        }
        totals[decision.kind] += 1;
        thisRun[decision.kind] += 1;
        cursor = id;
        options.onSkipped?.({ id, kind: decision.kind, reason: decision.reason });
      }
      if (!(await send())) {
        return await finish('stopped');
      }
      await save('running');
    }
    return await finish('done');
  } catch (error) {
    throw await failed(error);
  }

  /** Saves the job as failed where it got to and audits the run; the error to reject with. */
  async function failed(error: unknown): Promise<Error> {
    const message = messageOf(error);
    logger.error('replay job run failed', { error, ...thisRun });
    if (error instanceof ReplayJobNotHeldError) {
      // Another run holds the job now: its state is that run's to save.
      await audit('taken-over', message);
      return error;
    }
    try {
      await save('failed', message);
      await audit('failed', message);
    } catch (saveError) {
      // The job stays `running` until it looks abandoned; then it can be resumed.
      logger.error('could not save the failed replay job', { error: saveError });
    }
    return new ReplayJobFailedError(job.id, error);
  }
}
