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
  // Guarded: reading a thrown value may run its getters or Proxy traps, which may throw.
  return guarded(
    () =>
      error instanceof NonRetryableError ||
      (error instanceof Error && error.name === NonRetryableError.name),
    false,
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
 * as RicochetError and the Kafka client's errors carry it), and the record then climbs the tiers.
 */
export function classifyDecodeError(error: unknown): ErrorVerdict {
  const retriable = guarded(
    () => error instanceof Error && (error as Error & { retriable?: unknown }).retriable === true,
    false,
  );
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
 * Describes anything a handler may throw, and never throws itself: it runs on the failure path,
 * where a throw would loop the record or crash the process. Every read of the thrown value may
 * run the thrower's code (a getter, a Proxy trap, a revoked Proxy), so each is guarded and falls
 * back to a placeholder; Error fields that are not strings are converted.
 */
export function describeError(error: unknown): ErrorDescription {
  if (guarded(() => error instanceof Error, false)) {
    const thrown = error as Error;
    // Fields of an Error are strings by type, not at run time: anything can be assigned to them.
    const name: unknown =
      guarded(() => thrown.name, undefined) || guarded(() => thrown.constructor?.name, undefined);
    return {
      className: name ? truncateText(textOf(name), maxErrorClassLength) : 'Error',
      message: truncateText(
        textOf(guarded(() => thrown.message, unreadableField)),
        maxErrorMessageLength,
      ),
      stack: truncateText(
        textOf(guarded(() => thrown.stack ?? '', unreadableField)),
        maxErrorStackLength,
      ),
    };
  }
  return {
    className: error === null ? 'null' : typeof error,
    message: truncateText(textOf(error), maxErrorMessageLength),
    stack: '',
  };
}

/** What a field of a thrown value reads as when reading it throws. */
const unreadableField = '[unreadable]';

/** What `read` returns, or `fallback` when it throws: a thrown value's getters are not ours. */
function guarded<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
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
