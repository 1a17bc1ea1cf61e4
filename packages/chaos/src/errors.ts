import { RicochetError } from '@ricochet/core';

/**
 * The run could not be carried out (a broker that would not start, a port in use, services that
 * never became ready): no verdict about Ricochet, exit code 2.
 */
export class ChaosInfrastructureError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'CHAOS_INFRASTRUCTURE', ...options });
  }
}

/** Ctrl-C or SIGTERM reached the runner: it stops everything it started, with no verdict. */
export class ChaosInterruptedError extends RicochetError {
  constructor(signal: string) {
    super(`interrupted by ${signal}`, { code: 'CHAOS_INTERRUPTED' });
  }
}
