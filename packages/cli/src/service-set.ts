import type { Logger } from '@ricochet/core';
import { combineReadiness, type Readiness } from '@ricochet/kafka';
import type { ObservableService } from './commands/run/observed-service.js';

/** One service of a set, by the name its readiness and log lines are reported under. */
export interface NamedService {
  readonly name: string;
  readonly service: ObservableService;
}

export interface ServiceSetOptions {
  /** How often the running set checks for a member that failed for good. */
  readonly failureCheckIntervalMs?: number;
}

const defaultFailureCheckIntervalMs = 1_000;

/**
 * Several services run as one (a delay process serving several tiers), each with its own
 * lifecycle: a member's consumer crash is handled by that member as when it runs alone. The set
 * starts them together and stops them together, each committing what it may. A member that
 * fails for good stops the others, cleanly, before the set reports `failed`: the process then
 * exits for a supervisor to restart it, with nothing left half-stopped behind it.
 */
export class ServiceSet implements ObservableService {
  readonly #members: readonly NamedService[];
  readonly #logger: Logger;
  readonly #failureCheckIntervalMs: number;
  #failureCheck: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  /** Set once a failed member's fellows are stopped: the set has then failed. */
  #failed: { readonly failure: unknown } | undefined;

  constructor(members: readonly NamedService[], logger: Logger, options: ServiceSetOptions = {}) {
    this.#members = members;
    this.#logger = logger;
    this.#failureCheckIntervalMs = options.failureCheckIntervalMs ?? defaultFailureCheckIntervalMs;
  }

  get state(): string {
    if (this.#failed !== undefined) {
      return 'failed';
    }
    return combinedState(this.#members.map(({ service }) => service.state));
  }

  get failure(): unknown {
    return this.#failed?.failure;
  }

  readiness(): Readiness {
    return combineReadiness(
      Object.fromEntries(this.#members.map(({ name, service }) => [name, service.readiness()])),
    );
  }

  /**
   * Starts every member at once. If one fails to start, the others are stopped and the start
   * rejects with that failure; a stop during the start abandons every member's start.
   */
  async start(): Promise<void> {
    const starts = this.#members.map(({ service }) => service.start());
    try {
      await Promise.all(starts);
    } catch (error) {
      await this.stop().catch((stopError: unknown) => {
        this.#logger.warn('stopping the other services after a failed start failed', {
          error: stopError,
        });
      });
      // The others' starts end too (abandoned by the stop); their outcome adds nothing.
      await Promise.allSettled(starts);
      throw error;
    }
    // A stop that came as the last member finished starting has nothing left to watch.
    if (this.#stopping === undefined) {
      this.#failureCheck = setInterval(() => this.#checkFailures(), this.#failureCheckIntervalMs);
      this.#failureCheck.unref();
    }
  }

  /** Stops every member at once; rejects with the first member's failure once all have ended. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    clearInterval(this.#failureCheck);
    const outcomes = await Promise.allSettled(this.#members.map(({ service }) => service.stop()));
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    if (rejected !== undefined) {
      throw rejected.reason;
    }
  }

  #checkFailures(): void {
    const failed = this.#members.find(({ service }) => service.state === 'failed');
    if (failed === undefined || this.#stopping !== undefined) {
      return;
    }
    const failure = failed.service.failure;
    this.#logger.error('a service of the set failed; stopping the others', {
      part: failed.name,
      error: failure,
    });
    this.stop().then(
      () => {
        this.#failed = { failure };
      },
      (error: unknown) => {
        this.#logger.error('stopping the others after a failure failed', { error });
        this.#failed = { failure };
      },
    );
  }
}

/**
 * The state of members run as one: starting until all run, stopping until all stopped. A member
 * that failed counts as stopping: the set then stops the others, and fails once they are stopped.
 */
export function combinedState(states: readonly string[]): string {
  if (states.some((state) => state === 'stopping' || state === 'failed')) {
    return 'stopping';
  }
  if (states.some((state) => state === 'created' || state === 'starting')) {
    return 'starting';
  }
  return states.every((state) => state === 'stopped') ? 'stopped' : 'running';
}
