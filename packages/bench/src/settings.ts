import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How big each scenario is. `--smoke` shrinks everything so that CI proves the bench still runs. */
export interface BenchSettings {
  readonly smoke: boolean;
  /** Where the results (JSON, markdown, chart) go. */
  readonly outputDirectory: string;
  /** The markdown file whose results section the run rewrites. */
  readonly reportFile: string;
  readonly happyPath: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    /** Runs of each side, alternating; the median is reported. */
    readonly runs: number;
  };
  readonly ioBound: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    /** Distinct keys, each in one partition, in an order as random as many users' records. */
    readonly keys: number;
    readonly handlerDelayMilliseconds: number;
    /** Max-in-flight values measured on both Ricochet and Parallel Consumer, for the CPU's limit. */
    readonly maxInFlightSweep: readonly number[];
  };
  readonly retryRoundTrip: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    readonly delayMilliseconds: number;
  };
  readonly keyStrict: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    /** Distinct keys, each in one partition, in the io-bound scenario's pseudo-random order. */
    readonly keys: number;
    /** One record in this many fails on its first delivery (100: 1%). */
    readonly failingEvery: number;
    readonly delayMilliseconds: number;
    /** Runs of each ordering, alternating; the medians are compared. */
    readonly runs: number;
  };
  readonly lateness: {
    readonly recordsPerSecond: number;
    /** Load before the measured part: the services' first seconds (JIT, metadata) are slower. */
    readonly warmUpSeconds: number;
    readonly seconds: number;
    readonly delayMilliseconds: number;
    readonly partitions: number;
    readonly valueBytes: number;
  };
  readonly burstRetry: {
    /** Produced at once, before the main consumer starts; each fails once. */
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    readonly delayMilliseconds: number;
    /**
     * The main consumer's `maxBytesPerPartition` in the run with smaller fetches (redelivery to
     * `group`, on the default driver), beside the runs with the defaults.
     */
    readonly smallFetchBytesPerPartition: number;
  };
  readonly sharedTopic: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    /** Main-consumer groups reading the one source topic. */
    readonly groups: number;
    /** Each group fails a share of its own of 1 in this many records once (10: 10% each). */
    readonly failingEvery: number;
    readonly delayMilliseconds: number;
  };
  readonly holding: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    readonly delayMilliseconds: number;
  };
  readonly archive: {
    readonly runs: ReadonlyArray<{ readonly batchSize: number; readonly records: number }>;
  };
  readonly console: {
    /** Archived records seeded into each store. */
    readonly records: number;
    /** Measured requests per page or API call, one at a time. */
    readonly requests: number;
    /** Requests made first and not measured (cold caches, JIT). */
    readonly warmUp: number;
  };
}

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

const full: Omit<BenchSettings, 'outputDirectory' | 'reportFile'> = {
  smoke: false,
  happyPath: { records: 500_000, valueBytes: 1024, partitions: 6, runs: 5 },
  // 50 s for the sides that handle one record at a time per partition (300 records/s).
  ioBound: {
    records: 15_000,
    valueBytes: 1024,
    partitions: 6,
    keys: 1_000,
    handlerDelayMilliseconds: 20,
    maxInFlightSweep: [16, 64, 256, 1024],
  },
  retryRoundTrip: { records: 20_000, valueBytes: 1024, partitions: 6, delayMilliseconds: 1_000 },
  keyStrict: {
    records: 100_000,
    valueBytes: 1024,
    partitions: 6,
    keys: 10_000,
    failingEvery: 100,
    delayMilliseconds: 1_000,
    runs: 3,
  },
  lateness: {
    recordsPerSecond: 2_000,
    warmUpSeconds: 5,
    seconds: 60,
    delayMilliseconds: 5_000,
    partitions: 6,
    valueBytes: 1024,
  },
  burstRetry: {
    records: 50_000,
    valueBytes: 1024,
    partitions: 6,
    delayMilliseconds: 2_000,
    smallFetchBytesPerPartition: 262_144,
  },
  sharedTopic: {
    records: 20_000,
    valueBytes: 1024,
    partitions: 6,
    groups: 4,
    failingEvery: 10,
    delayMilliseconds: 1_000,
  },
  holding: { records: 1_000_000, valueBytes: 100, partitions: 6, delayMilliseconds: 600_000 },
  archive: {
    runs: [
      { batchSize: 1, records: 2_000 },
      { batchSize: 100, records: 20_000 },
      { batchSize: 1_000, records: 50_000 },
    ],
  },
  console: { records: 1_000_000, requests: 200, warmUp: 10 },
};

const smoke: Omit<BenchSettings, 'outputDirectory' | 'reportFile'> = {
  smoke: true,
  happyPath: { records: 2_000, valueBytes: 1024, partitions: 6, runs: 1 },
  ioBound: {
    records: 120,
    valueBytes: 1024,
    partitions: 6,
    keys: 1_000,
    handlerDelayMilliseconds: 20,
    maxInFlightSweep: [16],
  },
  retryRoundTrip: { records: 200, valueBytes: 1024, partitions: 6, delayMilliseconds: 1_000 },
  keyStrict: {
    records: 2_000,
    valueBytes: 1024,
    partitions: 6,
    keys: 200,
    failingEvery: 100,
    delayMilliseconds: 1_000,
    runs: 1,
  },
  lateness: {
    recordsPerSecond: 200,
    warmUpSeconds: 1,
    seconds: 3,
    delayMilliseconds: 2_000,
    partitions: 6,
    valueBytes: 1024,
  },
  burstRetry: {
    records: 1_000,
    valueBytes: 1024,
    partitions: 6,
    delayMilliseconds: 2_000,
    smallFetchBytesPerPartition: 262_144,
  },
  sharedTopic: {
    records: 1_000,
    valueBytes: 1024,
    partitions: 6,
    groups: 4,
    failingEvery: 10,
    delayMilliseconds: 1_000,
  },
  holding: { records: 5_000, valueBytes: 100, partitions: 6, delayMilliseconds: 600_000 },
  archive: {
    runs: [
      { batchSize: 1, records: 20 },
      { batchSize: 100, records: 200 },
      { batchSize: 1_000, records: 1_000 },
    ],
  },
  console: { records: 2_000, requests: 10, warmUp: 2 },
};

/**
 * `--smoke` for tiny sizes; `--output DIR` for where results are written; `--only a,b` to run
 * some scenarios. A smoke run or a run of some scenarios writes to a temporary directory unless
 * `--output` says where.
 */
export function readSettings(argv: readonly string[]): BenchSettings & { only: string[] } {
  const isSmoke = argv.includes('--smoke');
  const output = valueOf(argv, '--output');
  const only = valueOf(argv, '--only');
  // Only a full run of every scenario into the default place rewrites the committed results and
  // report: a run of some scenarios would replace every other scenario's figures with none.
  const complete = !isSmoke && only === undefined && output === undefined;
  const outputDirectory =
    output ??
    (complete
      ? join(repositoryRoot, 'docs', 'benchmarks')
      : join(tmpdir(), `ricochet-bench-${isSmoke ? 'smoke' : 'some'}-${process.pid}`));
  return {
    ...(isSmoke ? smoke : full),
    outputDirectory,
    reportFile: complete
      ? join(repositoryRoot, 'docs', 'benchmarks.md')
      : join(outputDirectory, 'benchmarks.md'),
    only: only === undefined ? [] : only.split(','),
  };
}

function valueOf(argv: readonly string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  if (index === -1) {
    return undefined;
  }
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new Error(`${flag} needs a value`);
  }
  return value;
}
