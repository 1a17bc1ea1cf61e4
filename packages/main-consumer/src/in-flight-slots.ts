/**
 * The bound on records handled at once across all of an instance's partitions (`maxInFlight`).
 * A batch that finds no free slot waits for one, first come first served (records of the group's
 * redelivery topic ahead of the others, see RedeliveryPriority), and fetches nothing
 * meanwhile (the Kafka client does not fetch a partition again while its batch is in hand, see ConsumedBatch), so memory
 * stays bounded by the fetched batches plus the records in hand.
 */
export class InFlightSlots {
  readonly #max: number;
  #inUse = 0;
  readonly #waiting: Array<() => void> = [];
  /** Waiters served before `#waiting`: records of the group's redelivery topic. */
  readonly #waitingAhead: Array<() => void> = [];

  constructor(max: number) {
    this.#max = max;
  }

  /** Records being handled now. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Takes a slot: undefined when one was free (taken at once, no promise), else a promise that
   * resolves once a slot is taken for the caller. `ahead`: served before every waiter without it.
   */
  acquire(ahead = false): Promise<void> | undefined {
    if (
      this.#inUse < this.#max &&
      this.#waitingAhead.length === 0 &&
      (ahead || this.#waiting.length === 0)
    ) {
      this.#inUse += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      (ahead ? this.#waitingAhead : this.#waiting).push(resolve);
    });
  }

  /** Gives a slot back: the first waiter ahead, else the first waiter, if any, takes it. */
  release(): void {
    const next = this.#waitingAhead.shift() ?? this.#waiting.shift();
    if (next === undefined) {
      this.#inUse -= 1;
    } else {
      next();
    }
  }
}
