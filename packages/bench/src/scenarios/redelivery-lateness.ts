import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, tierTopicName } from '@ricochet/core';
import { createMainConsumer } from '@ricochet/main-consumer';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { latenessChartSvg } from '../lateness-chart.js';
import { produceSteadily } from '../producers.js';
import {
  formatMilliseconds,
  uniqueDelay,
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

/**
 * Scenario 3: a steady load into a tier, served by `ricochet run delay` (its own process, as in
 * production); Ricochet's main consumer on the original topic notes, for each redelivery, how
 * long after its due-at it was republished (the record's timestamp) and handled.
 */
export async function redeliveryLateness(context: BenchContext): Promise<ScenarioResult> {
  const { recordsPerSecond, warmUpSeconds, seconds, partitions, valueBytes } =
    context.settings.lateness;
  const delayMilliseconds = uniqueDelay(context.settings.lateness.delayMilliseconds);
  const tier = tierTopicName(delayMilliseconds);
  const source = `${context.runId}-lateness`;
  const dlq = `${context.runId}-lateness-dlq`;
  const group = `${context.runId}-lateness`;
  await context.kafka.createTopics([
    { topic: source, partitions },
    { topic: tier, partitions },
    { topic: dlq, partitions: 1 },
  ]);
  const delayService = await startDelayService(context.kafka.brokers, tier, `${group}-delay`, dlq);
  /** Due-at of the first record past the warm-up; set when the load starts. */
  let measuredFrom = Number.POSITIVE_INFINITY;
  const warmUp = new Lateness();
  const measured = new Lateness();
  const main = createMainConsumer({
    brokers: context.kafka.brokers,
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
      `lateness: ${recordsPerSecond} records/s into ${tier}, ${warmUpSeconds} s of warm-up then ${seconds} s measured`,
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
  const chartFile = join(context.outputDirectory, 'lateness.svg');
  writeFileSync(
    chartFile,
    latenessChartSvg(measured.sortedHandled(), 'Redelivery lateness: handled at - due at', [
      `${handled.count.toLocaleString('en-US')} records at ${recordsPerSecond}/s into a ${delayMilliseconds} ms tier for ${seconds} s, after ${warmUpSeconds} s of warm-up`,
      `p50 ${handled.p50} ms, p99 ${handled.p99} ms, max ${handled.max} ms, ${early} early`,
    ]),
  );
  const rows: ResultRow[] = [
    {
      scenario: 'redelivery lateness p50 (handled - due-at)',
      baseline: '-',
      ricochet: formatMilliseconds(handled.p50),
    },
    {
      scenario: 'redelivery lateness p99 (handled - due-at)',
      baseline: '-',
      ricochet: formatMilliseconds(handled.p99),
      target: `<= ${targetP99Milliseconds} ms`,
      met: handled.p99 <= targetP99Milliseconds,
    },
    {
      scenario: 'redelivery lateness max (handled - due-at)',
      baseline: '-',
      ricochet: formatMilliseconds(handled.max),
    },
    {
      scenario: 'redelivery lateness p50 / p99 (republished - due-at)',
      baseline: '-',
      ricochet: `${formatMilliseconds(republished.p50)} / ${formatMilliseconds(republished.p99)}`,
    },
    {
      scenario: `warm-up (first ${warmUpSeconds} s of load) p99 / max (handled - due-at)`,
      baseline: '-',
      ricochet: `${formatMilliseconds(warmUpHandled.p99)} / ${formatMilliseconds(warmUpHandled.max)}`,
    },
    {
      scenario: `early redeliveries, of ${produced.toLocaleString('en-US')}`,
      baseline: '-',
      ricochet: String(early),
      target: '0',
      met: early === 0,
    },
  ];
  return {
    id: 'redelivery-lateness',
    title: 'Redelivery lateness',
    rows,
    notes: [
      `${produced.toLocaleString('en-US')} records of ${valueBytes} bytes written at ${recordsPerSecond}/s for ${warmUpSeconds + seconds} s straight into a ${delayMilliseconds} ms tier of ${partitions} partitions, with the retry headers a main consumer writes; served by \`ricochet run delay\` (defaults) in its own process; Ricochet's main consumer on the original topic notes when each redelivery was republished (its timestamp) and handled. The percentiles are those of the records loaded after the first ${warmUpSeconds} s (the services' first seconds, cold JIT and metadata, are slower); the warm-up row shows the others.`,
    ],
    chart: { file: chartFile, caption: 'Redelivery lateness histogram and cumulative share' },
    measurements: {
      produced,
      recordsPerSecond,
      warmUpSeconds,
      seconds,
      delayMilliseconds,
      handled,
      republished,
      warmUp: warmUpHandled,
    },
  };
}
