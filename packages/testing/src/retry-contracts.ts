import type { RetryContract } from '@ricochet/core';

/** A valid retry contract for a record first consumed from `originalTopic`, due at `dueAt`. */
export function testRetryContract(
  originalTopic: string,
  dueAt: number,
  overrides: Partial<RetryContract> = {},
): RetryContract {
  const now = Date.now();
  return {
    tryCount: 1,
    original: { topic: originalTopic, partition: 0, offset: '7', timestamp: now },
    retryGroup: 'some-group',
    dueAt,
    error: { className: 'Error', message: 'boom', stack: 'Error: boom' },
    firstFailureAt: now,
    lastFailureAt: now,
    ...overrides,
  };
}
