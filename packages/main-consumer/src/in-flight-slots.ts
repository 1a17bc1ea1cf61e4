import { redeliverySlotsInARow } from './defaults.js';

/**
 * The bound on records handled at once across all of an instance's partitions (`maxInFlight`).
 * A batch that finds no free slot waits for one, first come first served, and fetches nothing
 * meanwhile (the Kafka client does not fetch a partition again while its batch is in hand, see
 * ConsumedBatch), so memory stays bounded by the fetched batches plus the records in hand.
 * Records of the group's redelivery topic are served ahead of the others, but take at most
 * `aheadInARow` freed slots in a row while others wait: a flood of retries cannot starve the
 * source.
 */
export class InFlightSlots {
  readonly #max: number;
  readonly #aheadInARow: number;
  #inUse = 0;
  /** Freed slots given ahead in a row while others waited. */
  #givenAhead = 0;
  readonly #waiting: Array<() => void> = [];
  /** Waiters served before `#waiting`: records of the group's redelivery topic. */
  readonly #waitingAhead: Array<() => void> = [];

  constructor(max: number, aheadInARow: number = redeliverySlotsInARow) {
    this.#max = max;
    this.#aheadInARow = aheadInARow;
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

  /**
   * Gives a slot back: the first waiter ahead, else the first waiter, if any, takes it; the first
   * waiter, when waiters ahead took the last `aheadInARow` slots while it waited.
   */
  release(): void {
    const next = this.#nextWaiter();
    if (next === undefined) {
      this.#inUse -= 1;
    } else {
      next();
    }
  }

  #nextWaiter(): (() => void) | undefined {
    if (this.#waiting.length === 0) {
      this.#givenAhead = 0;
      return this.#waitingAhead.shift();
    }
    if (this.#waitingAhead.length > 0 && this.#givenAhead < this.#aheadInARow) {
      this.#givenAhead += 1;
      return this.#waitingAhead.shift();
    }
    this.#givenAhead = 0;
    return this.#waiting.shift();
  }
}
