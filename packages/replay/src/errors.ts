import { RicochetError } from '@ricochet/core';

/** No broker answered the replay's producer: check the connection settings. */
export class ReplayBrokersUnreachableError extends RicochetError {
  static readonly code = 'REPLAY_BROKERS_UNREACHABLE';
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], cause: unknown) {
    super(`cannot reach Kafka at ${brokers.join(', ')}`, {
      code: ReplayBrokersUnreachableError.code,
      retriable: true,
      cause,
    });
    this.brokers = brokers;
  }
}

/** A job asked to resume that cannot be: not there, done, or still run by another process. */
export class ReplayJobNotResumableError extends RicochetError {
  static readonly code = 'REPLAY_JOB_NOT_RESUMABLE';
  readonly jobId: number;

  constructor(jobId: number, problem: string) {
    super(`replay job ${jobId} cannot be resumed: ${problem}`, {
      code: ReplayJobNotResumableError.code,
      retriable: false,
    });
    this.jobId = jobId;
  }
}

/**
 * A replay job's run stopped on a failure (a publish, the archive); the job is saved as `failed`
 * where it got to, and can be resumed.
 */
export class ReplayJobFailedError extends RicochetError {
  static readonly code = 'REPLAY_JOB_FAILED';
  readonly jobId: number;

  constructor(jobId: number, cause: unknown) {
    super(`replay job ${jobId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      code: ReplayJobFailedError.code,
      retriable: cause instanceof RicochetError && cause.retriable,
      cause,
    });
    this.jobId = jobId;
  }
}
