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
