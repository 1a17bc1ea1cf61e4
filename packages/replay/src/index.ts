/**
 * @ricochet/replay: replays archived dead letters to their original topics, for the CLI
 * (`ricochet dlq replay`) and the console. A replay is a job stored in the archive: it walks the
 * records it targets (a filter, or a selection of ids) in ascending id order, publishes them in
 * acknowledged batches under a rate cap, marks them replayed and saves its cursor as it goes, and
 * can be stopped (an AbortSignal) and resumed from its id where it stopped. The loop guard refuses
 * a record already replayed `maxReplays` times (defaultMaxReplays, 3) unless forced, counting the
 * replays that led to a record archived again (its replay-count header). Every run appends an
 * audit row; a dry run (planReplay) writes nothing.
 *
 * @example
 * ```ts
 * import { createReplayJob, openReplayPublisher, runReplayJob } from '@ricochet/replay';
 *
 * const publisher = await openReplayPublisher({ brokers, logger });
 * const who = { actor: 'alice', origin: 'cli' } as const;
 * const job = await createReplayJob(store, { target: { originalTopic: 'orders' }, ratePerSecond: 100 }, who);
 * const stop = new AbortController(); // abort on SIGINT: the job is saved `stopped`
 * try {
 *   await runReplayJob({ store, publish: publisher.publish, logger, who, signal: stop.signal }, job);
 * } finally {
 *   await publisher.close();
 * }
 * // later, anywhere: await runReplayJob(options, await claimReplayJob(store, job.id));
 * ```
 */
export {
  abandonedAfterMs,
  defaultChunkSize,
  defaultMaxReplays,
  defaultSampleSize,
  progressIntervalMs,
} from './defaults.js';
export {
  ReplayBrokersUnreachableError,
  ReplayJobFailedError,
  ReplayJobNotResumableError,
} from './errors.js';
export {
  claimReplayJob,
  createReplayJob,
  replayJobAsJson,
  replayTarget,
  type ReplayActor,
  type ReplayRequest,
} from './jobs.js';
export type { LoopGuard, ReplayDecision } from './loop-guard.js';
export { batchSize } from './pacing.js';
export { planReplay, type ReplayPlan } from './plan.js';
export { openReplayPublisher, type ReplayPublisher } from './publisher.js';
export { runReplayJob, type ReplayRunOptions, type SkippedRecord } from './runner.js';
