/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('the median of no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The nearest-rank percentile of values already sorted ascending (`fraction` in 0..1). */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    throw new RangeError('a percentile of no values');
  }
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** Counts records and times the span from the first to the `expected`-th. */
export class ThroughputMeter {
  readonly expected: number;
  readonly done: Promise<void>;
  #count = 0;
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  #resolve: () => void = () => {};

  constructor(expected: number) {
    this.expected = expected;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  get count(): number {
    return this.#count;
  }

  record(): void {
    const now = performance.now();
    this.#startedAt ??= now;
    this.#count += 1;
    if (this.#count === this.expected) {
      this.#finishedAt = now;
      this.#resolve();
    }
  }

  result(): ThroughputResult {
    if (this.#startedAt === undefined || this.#finishedAt === undefined) {
      throw new Error(`only ${this.#count} of ${this.expected} records were counted`);
    }
    const seconds = (this.#finishedAt - this.#startedAt) / 1000;
    return { records: this.#count, seconds, recordsPerSecond: this.#count / seconds };
  }
}

export interface ThroughputResult {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}
