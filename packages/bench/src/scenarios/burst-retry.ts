import { formatDuration, tierTopicName } from '@ricochet/core';
import { defaultKafkaDriver, type KafkaDriver } from '@ricochet/kafka';
import { createMainConsumer } from '@ricochet/main-consumer';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { drivers, ricochetOn } from '../drivers.js';
import {
  adjacentUniqueDelays,
  createFilledTopic,
  formatMilliseconds,
  formatRate,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { startDelayService } from '../service-process.js';
import { RedeliveryTally } from '../sides/redelivery-tally.js';
import { summariseLateness, type LatenessSummary } from '../statistics.js';
import type { RetryResult } from '../worker-protocol.js';
import {
  createTargetTopics,
  measureEachTargetOnEachDriver,
  type RedeliveryTarget,
} from './redelivery-targets.js';

/** One run of the burst with one redelivery target. */
interface BurstRun extends RetryResult {
  readonly target: RedeliveryTarget;
  readonly driver: KafkaDriver;
  /** The main consumer's `maxBytesPerPartition`; undefined: its default. */
  readonly maxBytesPerPartition: number | undefined;
  /** The records in the topic once filled (each to fail once). */
  readonly written: number;
  readonly delayMilliseconds: number;
  readonly fillSeconds: number;
  /** From the first produce to the last success. */
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** From the main consumer's start to its first handler call (the group join, the first fetch). */
  readonly startSeconds: number;
  /** Second tries: the handler's call minus the record's due-at. */
  readonly lateness: LatenessSummary;
  /**
   * Second tries: the redelivered record's timestamp (the delay service's publish) minus its
   * due-at: the part of the lateness before the main consumer read the record.
   */
  readonly republished: LatenessSummary;
}

/**
 * The burst with redeliveries going to `target`, on `driver`: a topic and a tier of its own,
 * filled before the main consumer starts, the tier served by `ricochet run delay` in its own
 * process (as in production), and Ricochet's main consumer in the bench's process (as in the
 * redelivery-lateness scenario), whose handler fails each record's first try and notes how late
 * its second came.
 */
async function runBurst(
  context: BenchContext,
  target: RedeliveryTarget,
  driver: KafkaDriver,
  delayMilliseconds: number,
  maxBytesPerPartition?: number,
): Promise<BurstRun> {
  const { records, valueBytes, partitions } = context.settings.burstRetry;
  const tier = tierTopicName(delayMilliseconds);
  const name = `burst-${target}-${driver}${maxBytesPerPartition === undefined ? '' : '-small-fetch'}`;
  const group = `${context.runId}-${name}`;
  const dlq = `${context.runId}-${name}-dlq`;
  await context.kafka.createTopics([
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
  try {
    const { topic, firstProducedAt, fillSeconds, written } = await createFilledTopic(
      context,
      name,
      { records, valueBytes, partitions },
    );
    const tally = new RedeliveryTally(written);
    const latenesses: number[] = [];
    const republished: number[] = [];
    let firstHandledAt: number | undefined;
    await createTargetTopics(context, target, group, {
      tiers: formatDuration(delayMilliseconds),
      deadLetterTopic: dlq,
      partitions,
    });
    const main = createMainConsumer({
      brokers: context.kafka.brokers,
      driver,
      groupId: group,
      topics: [topic],
      redelivery: target,
      tiers: formatDuration(delayMilliseconds),
      dlqTopic: dlq,
      fromBeginning: true,
      ...(maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition }),
      logger: benchLogger('burst-retry'),
      handler: (record) => {
        const now = Date.now();
        firstHandledAt ??= now;
        if (record.tryCount > 0) {
          const dueAt = record.retry?.dueAt;
          if (dueAt === undefined) {
            throw new Error(`record ${record.offset} was redelivered without a retry contract`);
          }
          latenesses.push(now - dueAt);
          republished.push(Number(record.timestamp) - dueAt);
        }
        tally.attempt(record.tryCount);
      },
    });
    const startedAt = Date.now();
    try {
      await main.start();
      await waitFor(
        `${name}: every record to succeed on its redelivery`,
        () => (tally.result().succeededOnRedelivery >= written ? true : undefined),
        { timeoutMilliseconds: delayMilliseconds + 600_000, intervalMilliseconds: 100 },
      );
    } finally {
      await main.stop();
    }
    const result = tally.result();
    const seconds = (result.finishedAt - firstProducedAt) / 1000;
    const run: BurstRun = {
      ...result,
      target,
      driver,
      maxBytesPerPartition,
      written,
      delayMilliseconds,
      fillSeconds,
      seconds,
      recordsPerSecond: written / seconds,
      startSeconds: ((firstHandledAt ?? startedAt) - startedAt) / 1000,
      lateness: summariseLateness(latenesses.sort((a, b) => a - b)),
      republished: summariseLateness(republished.sort((a, b) => a - b)),
    };
    context.progress(
      `burst-retry: redelivery to ${describeRun(run)}: ${formatRate(run.recordsPerSecond)}, lateness p50 ${run.lateness.p50} ms, p99 ${run.lateness.p99} ms (republished p50 ${run.republished.p50} ms, p99 ${run.republished.p99} ms)`,
    );
    return run;
  } finally {
    await delayService.stop();
  }
}

/** The run's target, driver and fetch size, as its rows name them. */
function describeRun(run: BurstRun): string {
  const fetch =
    run.maxBytesPerPartition === undefined
      ? ''
      : `, maxBytesPerPartition ${run.maxBytesPerPartition.toLocaleString('en-US')}`;
  return `${run.target}, ${ricochetOn(run.driver)}${fetch}`;
}

function burstRows(run: BurstRun): ResultRow[] {
  const { lateness, republished } = run;
  const target = describeRun(run);
  return [
    {
      scenario: `burst retry, redelivery to ${target}: records/s, first produce to last success`,
      baseline: '-',
      ricochet: formatRate(run.recordsPerSecond),
    },
    {
      scenario: `burst retry, redelivery to ${target}: lateness p50 / p99 / max (handled - due-at)`,
      baseline: '-',
      ricochet: [lateness.p50, lateness.p99, lateness.max].map(formatMilliseconds).join(' / '),
    },
    {
      scenario: `burst retry, redelivery to ${target}: of which republished p50 / p99 / max (delay service's publish - due-at)`,
      baseline: '-',
      ricochet: [republished.p50, republished.p99, republished.max]
        .map(formatMilliseconds)
        .join(' / '),
    },
    {
      scenario: `burst retry, redelivery to ${target}: early second tries, of ${run.written.toLocaleString('en-US')}`,
      baseline: '-',
      ricochet: String(lateness.early),
      target: '0',
      met: lateness.early === 0,
    },
  ];
}

/**
 * Scenario 10 (issue 18): a backlog of records that each fail once, all due at about the same
 * time. Their redeliveries come back while the main consumer still works through the backlog;
 * where they come back to decides how long they wait behind it. Rows per redelivery target and
 * driver.
 */
export async function burstRetry(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions } = context.settings.burstRetry;
  const { delayMilliseconds, smallFetchBytesPerPartition } = context.settings.burstRetry;
  const runs = await measureEachTargetOnEachDriver(delayMilliseconds, (target, driver, delay) =>
    runBurst(context, target, driver, delay),
  );
  const [smallFetchDelay] = adjacentUniqueDelays(delayMilliseconds, 1);
  runs.push(
    await runBurst(
      context,
      'group',
      defaultKafkaDriver,
      smallFetchDelay ?? delayMilliseconds,
      smallFetchBytesPerPartition,
    ),
  );
  return {
    id: 'burst-retry',
    title: 'Burst of retries',
    rows: runs.flatMap(burstRows),
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions, produced at once before the main consumer starts; each fails on its first try and succeeds on its second, after a tier of ${context.settings.burstRetry.delayMilliseconds} ms plus 1-99 ms served by \`ricochet run delay\` in its own process; Ricochet's main consumer (defaults, but for the last run's \`maxBytesPerPartition\` of ${smallFetchBytesPerPartition.toLocaleString('en-US')}) in the bench's process. The rate is records / (last success - first produce), so it includes the main consumer's start (${runs.map((run) => `${run.startSeconds.toFixed(1)} s to the first handler call with redelivery to ${describeRun(run)}`).join(', ')}); lateness is the second try's handler call minus its due-at. Each target runs on each driver (${drivers.join(', ')}: the delay service and the main consumer both on it), on a topic, tier and groups of its own; the last run, redelivery to group with smaller fetches, on ${defaultKafkaDriver} only.`,
    ],
    measurements: { records, valueBytes, partitions, runs },
  };
}
