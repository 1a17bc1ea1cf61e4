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

/** How late (milliseconds past due-at) records were: negative for an early one. */
export interface LatenessSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Records handled before their due-at: the tiers promise none. */
  readonly early: number;
}

/** The summary of latenesses already sorted ascending; all zero for none. */
export function summariseLateness(sorted: readonly number[]): LatenessSummary {
  if (sorted.length === 0) {
    return { count: 0, p50: 0, p99: 0, max: 0, early: 0 };
  }
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 0.5),
    p99: percentileOfSorted(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    early: sorted.filter((lateness) => lateness < 0).length,
  };
}

/**
 * Counts records and times the span from the first to the `expected`-th, in wall-clock time and
 * in the process's CPU time: on a shared machine the wall-clock rate moves with whatever else
 * runs, the CPU time spent per record much less.
 */
export class ThroughputMeter {
  readonly expected: number;
  readonly done: Promise<void>;
  #count = 0;
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  #cpuAtStart: NodeJS.CpuUsage | undefined;
  #cpuSpent: NodeJS.CpuUsage | undefined;
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
    if (this.#startedAt === undefined) {
      this.#startedAt = now;
      this.#cpuAtStart = process.cpuUsage();
    }
    this.#count += 1;
    if (this.#count === this.expected) {
      this.#finishedAt = now;
      this.#cpuSpent = process.cpuUsage(this.#cpuAtStart);
      this.#resolve();
    }
  }

  result(): MeteredThroughput {
    if (
      this.#startedAt === undefined ||
      this.#finishedAt === undefined ||
      this.#cpuSpent === undefined
    ) {
      throw new Error(`only ${this.#count} of ${this.expected} records were counted`);
    }
    const seconds = (this.#finishedAt - this.#startedAt) / 1000;
    const { user, system } = this.#cpuSpent;
    return {
      records: this.#count,
      seconds,
      recordsPerSecond: this.#count / seconds,
      cpuMicrosecondsPerRecord: (user + system) / this.#count,
      // Read once the span is over: the most the process was resident until then.
      peakResidentBytes: process.resourceUsage().maxRSS * 1024,
    };
  }
}

export interface ThroughputResult {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

/** A throughput measured inside the consuming process, which can also tell its CPU time. */
export interface MeteredThroughput extends ThroughputResult {
  /** User and system CPU time of the whole process (every thread) over the span, per record. */
  readonly cpuMicrosecondsPerRecord: number;
  /** The most the consuming process was ever resident (its peak RSS), in bytes. */
  readonly peakResidentBytes: number;
}
