/**
 * Every error Ricochet raises is a RicochetError: it carries a stable `code` for programs, a
 * `retriable` flag that steers the flow (as the Kafka client's errors do), and the `cause` it
 * wraps.
 */
export class RicochetError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: { code: string; retriable?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
  }
}

/**
 * Thrown by a handler (or by a decoder) for a record that will never succeed: Ricochet sends it
 * straight to the dead-letter topic instead of through the retry tiers.
 */
export class NonRetryableError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'NON_RETRYABLE', retriable: false, cause: options.cause });
  }
}

/** A configuration value is missing or wrong; `field` names it the way the user spelled it. */
export class ConfigError extends RicochetError {
  static readonly code = 'INVALID_CONFIG';
  readonly field: string;

  constructor(field: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${field}: ${problem}`, {
      code: ConfigError.code,
      retriable: false,
      cause: options.cause,
    });
    this.field = field;
  }
}
