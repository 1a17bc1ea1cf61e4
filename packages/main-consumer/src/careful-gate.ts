/**
 * While a record is handled carefully (its crash mark committed before the handler call), it is
 * the only record of the process in hand. A crash of the process is then that record's alone,
 * never counted against a bystander that another partition's batch had in hand at the time.
 */
export class CarefulGate {
  /** Records in hand outside the gate (ordinary records, on any partition). */
  #inHand = 0;
  #drained: (() => void) | undefined;
  /** Set while a careful record runs; resolves when it is done. */
  #alone: Promise<void> | undefined;

  /** Undefined when an ordinary record may start at once; else when it may. */
  get closed(): Promise<void> | undefined {
    return this.#alone;
  }

  enter(): void {
    this.#inHand += 1;
  }

  leave(): void {
    this.#inHand -= 1;
    if (this.#inHand === 0) {
      this.#drained?.();
    }
  }

  /**
   * Runs `work` (an ordinary record's processing) counted in hand until it settles, so that a
   * careful record waits for it. Synchronous when `work` is: a record handled synchronously costs
   * no promise.
   */
  inHand<T>(work: () => T | Promise<T>): T | Promise<T> {
    this.enter();
    let result: T | Promise<T>;
    try {
      result = work();
    } catch (error) {
      this.leave();
      throw error;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.leave());
    }
    this.leave();
    return result;
  }

  /** Runs `work` once no other record is in hand, and lets none start until it is done. */
  async alone<T>(work: () => Promise<T>): Promise<T> {
    while (this.#alone !== undefined) {
      await this.#alone;
    }
    let release!: () => void;
    this.#alone = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      if (this.#inHand > 0) {
        await new Promise<void>((resolve) => {
          this.#drained = resolve;
        });
      }
      this.#drained = undefined;
      return await work();
    } finally {
      this.#alone = undefined;
      release();
    }
  }
}
