import { writeRetryContract } from '@ricochet/core';

/**
 * Retry headers as a main consumer of `retryGroup` writes them when a record from `originalTopic`
 * fails for the first time now: due `delayMilliseconds` from now. For scenarios that load a tier
 * directly, at a known rate, without a main consumer in between.
 */
export function firstFailureHeaders(
  originalTopic: string,
  originalPartition: number,
  originalOffset: number,
  retryGroup: string,
  delayMilliseconds: number,
): Record<string, string> {
  const now = Date.now();
  return writeRetryContract({
    tryCount: 1,
    original: {
      topic: originalTopic,
      partition: originalPartition,
      offset: String(originalOffset),
      timestamp: now,
    },
    retryGroup,
    dueAt: now + delayMilliseconds,
    error: { className: 'Error', message: 'failed once, for the benchmark', stack: '' },
    firstFailureAt: now,
    lastFailureAt: now,
  });
}
