import { randomBytes } from 'node:crypto';
import { tierTopicName } from '@ricochet/core';
import type { BenchKafka } from './bench-kafka.js';
import { fillTopic } from './producers.js';
import type { BenchSettings } from './settings.js';

/** One line of a scenario's table: the baseline and Ricochet side by side. */
export interface ResultRow {
  readonly scenario: string;
  /** The baseline's figure, naming the baseline; `-` where there is none. */
  readonly baseline: string;
  readonly ricochet: string;
  /** Ricochet relative to the baseline, in the sense the target is written in. */
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly ResultRow[];
  /** Conditions a reader needs to read the rows right (sizes, what was skipped and why). */
  readonly notes: readonly string[];
  /** Charts the scenario drew (SVG files in the output directory), shown under its rows. */
  readonly charts?: ReadonlyArray<{ readonly file: string; readonly caption: string }>;
  /** The raw measurements, for the results file. */
  readonly measurements: Readonly<Record<string, unknown>>;
}

export interface BenchContext {
  readonly settings: BenchSettings;
  readonly kafka: BenchKafka;
  /** Prefix of every topic and group of this run. */
  readonly runId: string;
  /** Where the chart and other files of this run go. */
  readonly outputDirectory: string;
  /** A progress line on standard error (standard output carries the tables). */
  progress(message: string): void;
}

export type Scenario = (context: BenchContext) => Promise<ScenarioResult>;

export function formatRate(recordsPerSecond: number): string {
  return `${Math.round(recordsPerSecond).toLocaleString('en-US')} rec/s`;
}

export function formatMilliseconds(milliseconds: number): string {
  return `${Math.round(milliseconds).toLocaleString('en-US')} ms`;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The delays `uniqueDelay` and `adjacentUniqueDelays` have given in this run. */
const givenDelays = new Set<number>();

/** Topics on the broker before the run: a delay whose tier topic is among them is not given. */
const topicsBeforeRun = new Set<string>();

/**
 * Notes the topics the broker had when the run began (say, tier topics a test suite left on a
 * shared broker), so that no delay given in this run names one of them.
 */
export function noteTopicsBeforeRun(topics: readonly string[]): void {
  for (const topic of topics) {
    topicsBeforeRun.add(topic);
  }
}

/** Delays above a base that a run's delays are drawn from (base plus 1-99 ms). */
const delaySpreadMilliseconds = 99;

/**
 * A delay of this run alone (base plus 1-99 ms), so that its tier topic (`retry-1042ms`) is the
 * run's own: tier topics are named by their delay, and other runs or tests may use the round one.
 * Never the same twice in a run: two scenarios (or two targets of one) on one base would otherwise
 * meet on one topic, one time in 99.
 */
export function uniqueDelay(baseMilliseconds: number): number {
  return adjacentUniqueDelays(baseMilliseconds, 1)[0] as number;
}

/**
 * `count` delays of this run alone, as `uniqueDelay` gives, a millisecond apart: tier topics of
 * their own for sides that are compared (a driver each), whose records then wait as long.
 */
export function adjacentUniqueDelays(baseMilliseconds: number, count: number): number[] {
  for (;;) {
    const first =
      baseMilliseconds + 1 + Math.floor(Math.random() * (delaySpreadMilliseconds - count + 1));
    const delays = Array.from({ length: count }, (_, index) => first + index);
    if (
      delays.every((delay) => !givenDelays.has(delay) && !topicsBeforeRun.has(tierTopicName(delay)))
    ) {
      delays.forEach((delay) => givenDelays.add(delay));
      return delays;
    }
  }
}

/**
 * Creates the run's topic `name` and fills it with `records` records of `valueBytes` random bytes,
 * reporting when the first was produced (epoch milliseconds), how long that took (seconds) and how
 * many records the topic then holds: the consuming scenarios' common start. Those can be more than
 * `records`: a produce request the client retries after some of its partitions failed (a leader
 * not yet known right after the topic's creation) writes the others' records again.
 */
export async function createFilledTopic(
  context: BenchContext,
  name: string,
  size: {
    readonly records: number;
    readonly valueBytes: number;
    readonly partitions: number;
    /** Distinct keys over the records (each in one partition); unset for one key per record. */
    readonly keys?: number;
    /** Extra headers of the record at `index`. */
    readonly headers?: (index: number) => Record<string, string>;
  },
): Promise<{
  readonly topic: string;
  readonly firstProducedAt: number;
  readonly fillSeconds: number;
  readonly written: number;
}> {
  const { records, valueBytes, partitions, keys, headers } = size;
  const topic = `${context.runId}-${name}`;
  await context.kafka.createTopics([{ topic, partitions }]);
  const firstProducedAt = Date.now();
  const fillStartedAt = performance.now();
  await fillTopic(
    context.kafka.client('ricochet-bench-producer'),
    {
      topic,
      partitions,
      value: randomBytes(valueBytes),
      ...(keys === undefined ? {} : { keys }),
      ...(headers === undefined ? {} : { headers }),
    },
    records,
  );
  const fillSeconds = (performance.now() - fillStartedAt) / 1000;
  const written = await context.kafka.recordsIn(topic);
  context.progress(
    `${name}: ${records} records produced in ${fillSeconds.toFixed(1)} s${written === records ? '' : `, ${written} written`}`,
  );
  return { topic, firstProducedAt, fillSeconds, written };
}

/**
 * `sides` in the order to measure them in `round`: starting at the `round`-th (modulo their
 * count), so that no side always goes first and meets a warmer broker cache, or always last.
 */
export function inTurn<T>(round: number, sides: readonly T[]): T[] {
  const first = round % sides.length;
  return [...sides.slice(first), ...sides.slice(0, first)];
}

/**
 * A row comparing Ricochet's figure with a baseline's (the ratio Ricochet / baseline), with the
 * ratio's target when it has one: `atLeast` where more is better, `atMost` where less is; rates
 * unless `format` says otherwise.
 */
export function comparedRow(
  scenario: string,
  baseline: { readonly name: string; readonly value: number },
  ricochet: number,
  options: {
    readonly atLeast?: number | undefined;
    readonly atMost?: number | undefined;
    readonly format?: (value: number) => string;
  } = {},
): ResultRow {
  const { atLeast, atMost, format = formatRate } = options;
  const ratio = ricochet / baseline.value;
  const target =
    atLeast !== undefined
      ? { target: `>= ${atLeast}`, met: ratio >= atLeast }
      : atMost !== undefined
        ? { target: `<= ${atMost}`, met: ratio <= atMost }
        : {};
  return {
    scenario,
    baseline: `${baseline.name} ${format(baseline.value)}`,
    ricochet: format(ricochet),
    ratio,
    ...target,
  };
}
