import type { ErrorDescription, ErrorVerdict } from './classify.js';
import type { DeadLetterReason, OriginalPosition, RetryContract } from './headers.js';
import type { Tier, TierLadder } from './ladder.js';

export interface Failure {
  /** The contract the record arrived with, if it was already a retry. */
  readonly previous: RetryContract | undefined;
  /** Where the record was consumed, used as the original position on its first failure. */
  readonly consumedAt: OriginalPosition;
  readonly retryGroup: string;
  readonly error: ErrorDescription;
  readonly verdict: ErrorVerdict;
  /** Epoch milliseconds of this failure. */
  readonly failedAt: number;
  /** Where the retry is to be redelivered when not to its original topic (`redeliver-to`). */
  readonly redeliverTo?: string | undefined;
}

export type FailureRoute =
  | { readonly kind: 'retry'; readonly tier: Tier; readonly contract: RetryContract }
  | {
      readonly kind: 'dead-letter';
      readonly reason: DeadLetterReason;
      readonly contract: RetryContract;
    };

/**
 * Decides where a failed record goes next. The n-th failure goes to the n-th tier; the failure
 * after the last tier, or any non-retryable failure, goes to the dead-letter topic.
 */
export function routeFailure(ladder: TierLadder, failure: Failure): FailureRoute {
  const tryCount = (failure.previous?.tryCount ?? 0) + 1;
  const tier = ladder[tryCount - 1];
  const base = {
    tryCount,
    original: failure.previous?.original ?? failure.consumedAt,
    retryGroup: failure.retryGroup,
    error: failure.error,
    firstFailureAt: failure.previous?.firstFailureAt ?? failure.failedAt,
    lastFailureAt: failure.failedAt,
    ...(failure.redeliverTo === undefined ? {} : { redeliverTo: failure.redeliverTo }),
  };
  if (failure.verdict === 'non-retryable') {
    return {
      kind: 'dead-letter',
      reason: 'non-retryable-error',
      contract: { ...base, dueAt: failure.failedAt },
    };
  }
  if (tier === undefined) {
    return {
      kind: 'dead-letter',
      reason: 'retries-exhausted',
      contract: { ...base, dueAt: failure.failedAt },
    };
  }
  return {
    kind: 'retry',
    tier,
    contract: { ...base, dueAt: failure.failedAt + tier.delayMilliseconds },
  };
}
