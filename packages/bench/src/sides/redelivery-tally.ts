import type { RetryResult } from '../worker-protocol.js';

/**
 * The retry scenarios' handler logic, the same on both sides: a record fails on its first
 * delivery and succeeds on its first redelivery; `done` resolves at the `expected`-th success.
 */
export class RedeliveryTally {
  readonly done: Promise<void>;
  readonly #expected: number;
  #failedFirst = 0;
  #succeededOnRedelivery = 0;
  #finishedAt = 0;
  #resolve: () => void = () => {};

  constructor(expected: number) {
    this.#expected = expected;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Handles one delivery, given the attempts before it; throws on the first. */
  attempt(previousAttempts: number): void {
    if (previousAttempts === 0) {
      this.#failedFirst += 1;
      throw new Error('fails on its first delivery');
    }
    this.#succeededOnRedelivery += 1;
    if (this.#succeededOnRedelivery === this.#expected) {
      this.#finishedAt = Date.now();
      this.#resolve();
    }
  }

  result(): RetryResult {
    return {
      finishedAt: this.#finishedAt,
      failedFirst: this.#failedFirst,
      succeededOnRedelivery: this.#succeededOnRedelivery,
    };
  }
}
