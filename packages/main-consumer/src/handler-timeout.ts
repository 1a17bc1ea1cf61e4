import { RicochetError } from '@ricochet/core';

/**
 * A handler call did not settle within the handler timeout. It counts as a retryable failure:
 * the record goes to its next tier, and whatever the call does later is ignored.
 */
export class HandlerTimeoutError extends RicochetError {
  constructor(timeoutMilliseconds: number) {
    super(`the handler did not settle within ${timeoutMilliseconds} ms`, {
      code: 'HANDLER_TIMEOUT',
      retriable: true,
    });
  }
}

/**
 * Settles as `returned` does, or rejects with a HandlerTimeoutError once `timeoutMilliseconds`
 * pass first. A call cannot be cancelled: its late result or failure is observed (so no
 * rejection goes unhandled) and ignored.
 */
export function settleWithin(
  returned: PromiseLike<void>,
  timeoutMilliseconds: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new HandlerTimeoutError(timeoutMilliseconds)),
      timeoutMilliseconds,
    );
    Promise.resolve(returned).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
