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

/**
 * A decoder's say on its own failure. By default a value that cannot be decoded will never
 * decode (non-retryable, dead-lettered as `decode-failed`); a decoder marks a failure that is not
 * the record's fault, such as an unreachable schema registry, as retriable (`retriable: true`,
 * as RicochetError and kafkajs errors carry it), and the record then climbs the tiers.
 */
export function classifyDecodeError(error: unknown): ErrorVerdict {
  const retriable =
    error instanceof Error && (error as Error & { retriable?: unknown }).retriable === true;
  return retriable ? 'retryable' : 'non-retryable';
}

export const maxErrorMessageLength = 1_000;
export const maxErrorStackLength = 4_000;
export const maxErrorClassLength = 200;

/** What the headers say about a failure: bounded, so a huge error cannot bloat every record. */
export interface ErrorDescription {
  readonly className: string;
  readonly message: string;
  readonly stack: string;
}

/**
 * Describes anything a handler may throw. It runs on the failure path, so it copes with a value
 * String() cannot convert (an object with no prototype) and with Error fields that are not strings.
 */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    // Fields of an Error are strings by type, not at run time: anything can be assigned to them.
    const name: unknown = error.name || error.constructor?.name;
    return {
      className: name ? truncateText(textOf(name), maxErrorClassLength) : 'Error',
      message: truncateText(textOf(error.message), maxErrorMessageLength),
      stack: truncateText(textOf(error.stack ?? ''), maxErrorStackLength),
    };
  }
  return {
    className: error === null ? 'null' : typeof error,
    message: truncateText(textOf(error), maxErrorMessageLength),
    stack: '',
  };
}

/** String(value), falling back to Object.prototype.toString where String() throws. */
function textOf(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[unprintable value]';
    }
  }
}
