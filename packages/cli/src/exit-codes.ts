// The errors entries only: the packages' roots load the SQLite and PostgreSQL drivers and Kafka.
import { ArchiveSchemaError } from '@ricochet/archive/errors';
import { ConfigError, RicochetError } from '@ricochet/core';
import {
  BrokerAuthenticationError,
  BrokerAuthorizationError,
  KafkaDriverUnavailableError,
} from '@ricochet/kafka/errors';
import { ReplayJobNotResumableError } from '@ricochet/replay/errors';

export const ExitCode = {
  success: 0,
  /** The command ran and found a problem (e.g. `verify` found drift), or failed at run time. */
  failure: 1,
  /**
   * The command could not run as asked: bad flags or values, a broker that cannot be reached or
   * refuses this client's credentials, certificates or an operation its ACLs do not allow, a Kafka
   * driver that is not installed, or an archive that is not there (or older than the command).
   */
  usage: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the user must fix before the command can run: reported with exit code 2. */
export class UsageError extends RicochetError {
  static readonly code = 'USAGE';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: UsageError.code, cause: options.cause });
  }
}

/**
 * Matched by code, not by class: the commands load with import() (lazy-command.ts), and under the
 * test runner, which loads this module with require(), that gives them copies of their own of
 * every error class.
 */
const usageErrorCodes: ReadonlySet<unknown> = new Set([
  ConfigError.code,
  UsageError.code,
  ArchiveSchemaError.code,
  ReplayJobNotResumableError.code,
  KafkaDriverUnavailableError.code,
]);

/**
 * Refusals that may arrive wrapped (a service's start, an admin operation): found anywhere in the
 * chain of causes.
 */
const wrappedUsageErrorCodes: ReadonlySet<unknown> = new Set([
  BrokerAuthenticationError.code,
  BrokerAuthorizationError.code,
]);

function codeOf(error: unknown): unknown {
  return error instanceof Error ? (error as { code?: unknown }).code : undefined;
}

/** The only place errors become exit codes (libraries throw; the CLI decides). */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (usageErrorCodes.has(codeOf(error))) {
    return ExitCode.usage;
  }
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (wrappedUsageErrorCodes.has(codeOf(cause))) {
      return ExitCode.usage;
    }
  }
  return ExitCode.failure;
}

/** The message a person sees: the error and, on one line each, the causes under it. */
export function describeFailure(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  let previous: string | undefined;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    const message = messageOf(current);
    // The Kafka client wraps its last failure in a retries-exhausted error with the very same
    // message.
    if (message !== previous) {
      lines.push(depth === 0 ? `error: ${message}` : `  caused by: ${message}`);
    }
    previous = message;
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
