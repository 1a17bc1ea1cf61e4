import { NonRetryableError } from './errors.js';
import { truncateText } from './text.js';

/** Whether a failed record may be retried through the tiers or must go to the dead-letter topic. */
export type ErrorVerdict = 'retryable' | 'non-retryable';

/**
 * A user's say on an error. Returning undefined leaves the decision to Ricochet's rule:
 * NonRetryableError is non-retryable, everything else is retryable.
 */
export type ErrorClassifier = (error: unknown) => ErrorVerdict | undefined;

function isNonRetryableError(error: unknown): boolean {
  // The name check covers a NonRetryableError from another copy of this package in node_modules.
  return (
    error instanceof NonRetryableError ||
    (error instanceof Error && error.name === NonRetryableError.name)
  );
}

export function classifyError(error: unknown, classifier?: ErrorClassifier): ErrorVerdict {
  if (isNonRetryableError(error)) {
    return 'non-retryable';
  }
  return classifier?.(error) ?? 'retryable';
}

export const maxErrorMessageLength = 1_000;
export const maxErrorStackLength = 4_000;

/** What the headers say about a failure: bounded, so a huge error cannot bloat every record. */
export interface ErrorDescription {
  readonly className: string;
  readonly message: string;
  readonly stack: string;
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    return {
      className: error.name || error.constructor.name || 'Error',
      message: truncateText(error.message, maxErrorMessageLength),
      stack: truncateText(error.stack ?? '', maxErrorStackLength),
    };
  }
  return {
    className: error === null ? 'null' : typeof error,
    message: truncateText(String(error), maxErrorMessageLength),
    stack: '',
  };
}
