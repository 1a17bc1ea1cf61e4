import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, tierTopicName } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import { createMainConsumer } from '@ricochet/main-consumer';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { latenessChartSvg } from '../lateness-chart.js';
import { produceSteadily } from '../producers.js';
import {
  againstDefaultDriver,
  byDriver,
  delaysByDriver,
  drivers,
  measureEachDriver,
  ricochetOn,
} from '../drivers.js';
import {
  formatMilliseconds,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { startDelayService } from '../service-process.js';
import { summariseLateness, type LatenessSummary } from '../statistics.js';
import { firstFailureHeaders } from '../tier-records.js';

const targetP99Milliseconds = 50;

/** Milliseconds past due-at at which records were republished and handled. */
class Lateness {
  readonly #handled: number[] = [];
  readonly #republished: number[] = [];

  get count(): number {
    return this.#handled.length;
  }

  add(handled: number, republished: number): void {
    this.#handled.push(handled);
    this.#republished.push(republished);
  }

  sortedHandled(): number[] {
    return [...this.#handled].sort((a, b) => a - b);
  }

  handled(): LatenessSummary {
    return summariseLateness(this.sortedHandled());
  }

  republished(): LatenessSummary {
    return summariseLateness([...this.#republished].sort((a, b) => a - b));
  }
}

/** One driver's run: the delay service and the main consumer both on it. */
interface LatenessRun {
  readonly driver: KafkaDriver;
  readonly delayMilliseconds: number;
  readonly produced: number;
  readonly handled: LatenessSummary;
  readonly republished: LatenessSummary;
  readonly warmUp: LatenessSummary;
  /** Records handled or republished before their due-at, warm-up included. */
  readonly early: number;
}

/** The chart of a driver's run, in the run's output directory. */
function latenessChart(
  context: BenchContext,
  driver: KafkaDriver,
): { readonly file: string; readonly caption: string } {
  return {
    file: join(context.outputDirectory, `lateness-${driver}.svg`),
    caption: `Redelivery lateness on ${driver}: histogram and cumulative share`,
  };
}

/**
 * A steady load into a tier of its own, served by `ricochet run delay` on `driver` (its own
 * process, as in production); Ricochet's main consumer on `driver` on the original topic notes,
 * for each redelivery, how long after its due-at it was republished (the record's timestamp) and
 * handled.
 */
async function measureLateness(
  context: BenchContext,
  driver: KafkaDriver,
  delayMilliseconds: number,
): Promise<LatenessRun> {
  const { recordsPerSecond, warmUpSeconds, seconds, partitions, valueBytes } =
    context.settings.lateness;
  const tier = tierTopicName(delayMilliseconds);
  const source = `${context.runId}-lateness-${driver}`;
  const dlq = `${source}-dlq`;
  const group = source;
  await context.kafka.createTopics([
    { topic: source, partitions },
    { topic: tier, partitions },
    { topic: dlq, partitions: 1 },
  ]);
  const delayService = await startDelayService(
    context.kafka.brokers,
    driver,
    tier,
    `${group}-delay`,
    dlq,
  );
  /** Due-at of the first record past the warm-up; set when the load starts. */
  let measuredFrom = Number.POSITIVE_INFINITY;
  const warmUp = new Lateness();
  const measured = new Lateness();
  const main = createMainConsumer({
    brokers: context.kafka.brokers,
    driver,
    groupId: group,
    topics: [source],
    tiers: formatDuration(delayMilliseconds),
    dlqTopic: dlq,
    fromBeginning: true,
    logger: benchLogger('lateness'),
    handler: (record) => {
      const dueAt = record.retry?.dueAt;
      if (dueAt === undefined) {
        throw new Error(`record ${record.offset} arrived without a retry contract`);
      }
      (dueAt < measuredFrom ? warmUp : measured).add(
        Date.now() - dueAt,
        Number(record.timestamp) - dueAt,
      );
    },
  });
  let produced: number;
  try {
    await main.start();
    await waitFor('the main consumer to own its partitions', () =>
      main.readiness().ready ? true : undefined,
    );
    context.progress(
      `lateness on ${driver}: ${recordsPerSecond} records/s into ${tier}, ${warmUpSeconds} s of warm-up then ${seconds} s measured`,
    );
    measuredFrom = Date.now() + warmUpSeconds * 1000 + delayMilliseconds;
    produced = await produceSteadily(
      context.kafka.client('ricochet-bench-producer'),
      {
        topic: tier,
        partitions,
        value: randomBytes(valueBytes),
        headers: (index) =>
          firstFailureHeaders(source, index % partitions, index, group, delayMilliseconds),
      },
      recordsPerSecond,
      warmUpSeconds + seconds,
    );
    await waitFor(
      'every record to be redelivered',
      () => (warmUp.count + measured.count >= produced ? true : undefined),
      { timeoutMilliseconds: delayMilliseconds + 120_000, intervalMilliseconds: 200 },
    );
  } finally {
    await main.stop();
    await delayService.stop();
  }
  const handled = measured.handled();
  const republished = measured.republished();
  const warmUpHandled = warmUp.handled();
  const early =
    handled.early + republished.early + warmUpHandled.early + warmUp.republished().early;

  mkdirSync(context.outputDirectory, { recursive: true });
  writeFileSync(
    latenessChart(context, driver).file,
    latenessChartSvg(
      measured.sortedHandled(),
      `Redelivery lateness on ${driver}: handled at - due at`,
      [
        `${handled.count.toLocaleString('en-US')} records at ${recordsPerSecond}/s into a ${delayMilliseconds} ms tier for ${seconds} s, after ${warmUpSeconds} s of warm-up`,
        `p50 ${handled.p50} ms, p99 ${handled.p99} ms, max ${handled.max} ms, ${early} early`,
      ],
    ),
  );
  context.progress(
    `lateness on ${driver}: p50 ${handled.p50} ms, p99 ${handled.p99} ms, max ${handled.max} ms`,
  );
  return {
    driver,
    delayMilliseconds,
    produced,
    handled,
    republished,
    warmUp: warmUpHandled,
    early,
  };
}

function latenessRows(run: LatenessRun, warmUpSeconds: number): ResultRow[] {
  const { handled, republished, warmUp } = run;
  const label = `redelivery lateness, ${ricochetOn(run.driver)}`;
  return [
    {
      scenario: `${label}, p50 (handled - due-at)`,
      baseline: '-',
      ricochet: formatMilliseconds(handled.p50),
    },
    {
      scenario: `${label}, p99 (handled - due-at)`,
      baseline: '-',
      ricochet: formatMilliseconds(handled.p99),
      target: `<= ${targetP99Milliseconds} ms`,
      met: handled.p99 <= targetP99Milliseconds,
    },
    {
      scenario: `${label}, max (handled - due-at)`,
      baseline: '-',
      ricochet: formatMilliseconds(handled.max),
    },
    {
      scenario: `${label}, p50 / p99 (republished - due-at)`,
      baseline: '-',
      ricochet: `${formatMilliseconds(republished.p50)} / ${formatMilliseconds(republished.p99)}`,
    },
    {
      scenario: `${label}, warm-up (first ${warmUpSeconds} s of load) p99 / max (handled - due-at)`,
      baseline: '-',
      ricochet: `${formatMilliseconds(warmUp.p99)} / ${formatMilliseconds(warmUp.max)}`,
    },
    {
      scenario: `${label}, early redeliveries, of ${run.produced.toLocaleString('en-US')}`,
      baseline: '-',
      ricochet: String(run.early),
      target: '0',
      met: run.early === 0,
    },
  ];
}

/**
 * Scenario 3: a steady load into a tier, served by `ricochet run delay`, read back by Ricochet's
 * main consumer: how late redeliveries are handled, on each driver in turn (the delay service and
 * the main consumer both on it), each on a tier and topics of its own.
 */
export async function redeliveryLateness(context: BenchContext): Promise<ScenarioResult> {
  const { recordsPerSecond, warmUpSeconds, seconds, partitions, valueBytes } =
    context.settings.lateness;
  const delays = delaysByDriver(context.settings.lateness.delayMilliseconds);
  const runs = await measureEachDriver((driver) =>
    measureLateness(context, driver, delays[driver]),
  );
  const rows: ResultRow[] = [
    ...drivers.flatMap((driver) => latenessRows(runs[driver], warmUpSeconds)),
    ...againstDefaultDriver(
      'redelivery lateness p99 (handled - due-at)',
      byDriver((driver) => runs[driver].handled.p99),
      { atMost: 1, format: formatMilliseconds },
    ),
  ];
  return {
    id: 'redelivery-lateness',
    title: 'Redelivery lateness',
    rows,
    notes: [
      `${runs.kafkajs.produced.toLocaleString('en-US')} records of ${valueBytes} bytes written at ${recordsPerSecond}/s for ${warmUpSeconds + seconds} s straight into a tier of about ${context.settings.lateness.delayMilliseconds} ms (${drivers.map((driver) => `${delays[driver]} ms on ${driver}`).join(', ')}) of ${partitions} partitions, with the retry headers a main consumer writes; served by \`ricochet run delay\` (defaults) in its own process; Ricochet's main consumer on the original topic notes when each redelivery was republished (its timestamp) and handled. Each driver in turn, the delay service and the main consumer both on it, on a tier and topics of its own. The percentiles are those of the records loaded after the first ${warmUpSeconds} s (the services' first seconds, cold JIT and metadata, are slower); the warm-up row shows the others.`,
    ],
    charts: drivers.map((driver) => latenessChart(context, driver)),
    measurements: { recordsPerSecond, warmUpSeconds, seconds, partitions, valueBytes, runs },
  };
}
