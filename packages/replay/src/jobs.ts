import { randomUUID } from 'node:crypto';
import type { ArchiveFilter, ArchiveStore, AuditOrigin, ReplayJob } from '@ricochet/archive';
import { ConfigError } from '@ricochet/core';
import { abandonedAfterMs, defaultMaxReplays } from './defaults.js';
import { ReplayJobNotResumableError } from './errors.js';
import { walkOrder } from './walk.js';

/** Who acts: recorded on the job and in the audit. */
export interface ReplayActor {
  readonly actor: string;
  readonly origin: AuditOrigin;
}

/** What to replay and how. */
export interface ReplayRequest {
  /** A filter, or `{ ids }` for a selection. */
  readonly target: ArchiveFilter;
  /** At most this many records per second; null or absent for no cap. */
  readonly ratePerSecond?: number | null;
  /** The loop guard's limit; defaultMaxReplays when absent. */
  readonly maxReplays?: number;
  /** Replay records the loop guard would refuse. */
  readonly force?: boolean;
}

/**
 * What a replay of `ids`, or else of `filter`, visits. By filter, only records not replayed yet
 * unless the filter names a status or the replay is forced: running a replay by filter again
 * must not send the same records again unless asked to.
 */
export function replayTarget(
  ids: readonly number[],
  filter: ArchiveFilter,
  force: boolean,
): ArchiveFilter {
  if (ids.length > 0) {
    return { ids };
  }
  return filter.status === undefined && !force ? { ...filter, status: 'archived' } : filter;
}

/** A job for people and scripts: the run's token is how runs fence each other, not for them. */
export function replayJobAsJson(job: ReplayJob): Omit<ReplayJob, 'runner'> {
  const { runner: _runner, ...shown } = job;
  return shown;
}

/** The request with its defaults filled in and its values checked. */
export function checkRequest(request: ReplayRequest): Required<ReplayRequest> & {
  readonly ratePerSecond: number | null;
} {
  const ratePerSecond = request.ratePerSecond ?? null;
  if (ratePerSecond !== null && !(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new ConfigError(
      'rate',
      `must be a positive number of records per second, got ${ratePerSecond}`,
    );
  }
  const maxReplays = request.maxReplays ?? defaultMaxReplays;
  if (!Number.isSafeInteger(maxReplays) || maxReplays < 0) {
    throw new ConfigError('max-replays', `must be a whole number, 0 or more, got ${maxReplays}`);
  }
  const { target } = request;
  return {
    target: target.ids === undefined ? target : { ...target, ids: walkOrder(target.ids) },
    ratePerSecond,
    maxReplays,
    force: request.force ?? false,
  };
}

/** The newest archive id: a job by filter visits none above the newest at its creation. */
export async function newestId(store: ArchiveStore): Promise<number> {
  return (await store.list({}, { limit: 1 })).records.at(0)?.id ?? 0;
}

/** Creates a job for `request`, held by a new run; run it with runReplayJob. */
export async function createReplayJob(
  store: ArchiveStore,
  request: ReplayRequest,
  who: ReplayActor,
): Promise<ReplayJob> {
  const checked = checkRequest(request);
  const throughId = await newestId(store);
  const total =
    checked.target.ids === undefined
      ? await store.count(checked.target, throughId)
      : checked.target.ids.length;
  return store.createReplayJob({ ...who, ...checked, total, throughId }, randomUUID());
}

/**
 * Takes a stopped, failed or abandoned job over for a new run; ReplayJobNotResumableError saying
 * why otherwise.
 */
export async function claimReplayJob(
  store: ArchiveStore,
  id: number,
  now: number = Date.now(),
): Promise<ReplayJob> {
  const claimed = await store.claimReplayJob(id, randomUUID(), now - abandonedAfterMs);
  if (claimed !== undefined) {
    return claimed;
  }
  const job = await store.getReplayJob(id);
  if (job === undefined) {
    throw new ReplayJobNotResumableError(id, 'there is no such job');
  }
  if (job.state === 'done') {
    throw new ReplayJobNotResumableError(id, 'it is done');
  }
  const seconds = Math.round((now - job.updatedAt) / 1_000);
  throw new ReplayJobNotResumableError(
    id,
    `it is running (last progress ${seconds} s ago); a job whose process died can be resumed ` +
      `${abandonedAfterMs / 1_000} s after its last progress`,
  );
}
