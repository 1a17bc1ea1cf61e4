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
import { percentileOfSorted } from '../statistics.js';
import { firstFailureHeaders } from '../tier-records.js';

const targetP99Milliseconds = 50;

interface LatenessSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly early: number;
}

function summarise(sorted: readonly number[]): LatenessSummary {
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 0.5),
    p99: percentileOfSorted(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    early: sorted.filter((lateness) => lateness < 0).length,
  };
}

/**
 * Scenario 3: a steady load into a tier, served by `ricochet run delay` (its own process, as in
 * production); Ricochet's main consumer on the original topic notes, for each redelivery, how
 * long after its due-at it was republished (the record's timestamp) and handled.
 */
export async function redeliveryLateness(context: BenchContext): Promise<ScenarioResult> {
  const { recordsPerSecond, seconds, partitions, valueBytes } = context.settings.lateness;
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
  const handledLateness: number[] = [];
  const republishedLateness: number[] = [];
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
      handledLateness.push(Date.now() - dueAt);
      republishedLateness.push(Number(record.timestamp) - dueAt);
    },
  });
  let produced: number;
  try {
    await main.start();
    await waitFor('the main consumer to own its partitions', () =>
      main.readiness().ready ? true : undefined,
    );
    context.progress(
      `lateness: ${recordsPerSecond} records/s into ${tier} for ${seconds} s, then waiting for the last to come back`,
    );
    const value = randomBytes(valueBytes);
    produced = await produceSteadily(
      context.kafka.client('ricochet-bench-producer'),
      {
        topic: tier,
        partitions,
        value,
        headers: (index) =>
          firstFailureHeaders(source, index % partitions, index, group, delayMilliseconds),
      },
      recordsPerSecond,
      seconds,
    );
    await waitFor(
      'every record to be redelivered',
      () => (handledLateness.length >= produced ? true : undefined),
      { timeoutMilliseconds: delayMilliseconds + 120_000, intervalMilliseconds: 200 },
    );
  } finally {
    await main.stop();
    await delayService.stop();
  }
  const handled = summarise([...handledLateness].sort((a, b) => a - b));
  const republished = summarise([...republishedLateness].sort((a, b) => a - b));

  mkdirSync(context.outputDirectory, { recursive: true });
  const chartFile = join(context.outputDirectory, 'lateness.svg');
  writeFileSync(
    chartFile,
    latenessChartSvg(
      [...handledLateness].sort((a, b) => a - b),
      'Redelivery lateness: handled at - due at',
      `${produced.toLocaleString('en-US')} records, ${recordsPerSecond}/s into a ${delayMilliseconds} ms tier for ${seconds} s; p50 ${handled.p50} ms, p99 ${handled.p99} ms, max ${handled.max} ms, ${handled.early} early`,
    ),
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
      scenario: `early redeliveries, of ${handled.count.toLocaleString('en-US')}`,
      baseline: '-',
      ricochet: String(handled.early + republished.early),
      target: '0',
      met: handled.early + republished.early === 0,
    },
  ];
  return {
    id: 'redelivery-lateness',
    title: 'Redelivery lateness',
    rows,
    notes: [
      `${produced.toLocaleString('en-US')} records of ${valueBytes} bytes written at ${recordsPerSecond}/s for ${seconds} s straight into a ${delayMilliseconds} ms tier of ${partitions} partitions, with the retry headers a main consumer writes; served by \`ricochet run delay\` (defaults) in its own process; Ricochet's main consumer on the original topic notes when each redelivery was republished (its timestamp) and handled.`,
    ],
    chart: { file: chartFile, caption: 'Redelivery lateness histogram and cumulative share' },
    measurements: { produced, recordsPerSecond, seconds, delayMilliseconds, handled, republished },
  };
}
