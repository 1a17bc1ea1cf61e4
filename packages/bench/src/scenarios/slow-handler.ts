import { defaultConcurrency } from '@ricochet/main-consumer/defaults';
import {
  createFilledTopic,
  formatRate,
  measureBothSides,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import type { MeteredThroughput } from '../statistics.js';
import { runInWorker } from '../worker-process.js';
import type { ConsumeRequest } from '../worker-protocol.js';

/** Time a worker gets beyond the run's ideal length: process start, the group join, slow fetches. */
const workerTimeSpareMilliseconds = 120_000;

interface ConcurrencyMeasurement {
  readonly concurrency: number;
  readonly kafkajs: MeteredThroughput;
  readonly ricochet: MeteredThroughput;
}

/**
 * Scenario 6: a handler that awaits a slow service (a fixed delay) per record, the "before" of
 * issue 13. Ricochet's main consumer with its defaults and with one partition per slot against a
 * plain kafkajs consumer at the same concurrencies, each side in a fresh process on the same
 * topic. Within a partition both handle one record at a time, so the rate is bounded by
 * concurrency / delay whatever the consumer costs.
 */
export async function slowHandler(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, handlerDelayMilliseconds } =
    context.settings.slowHandler;
  const { topic, fillSeconds } = await createFilledTopic(context, 'slow', {
    records,
    valueBytes,
    partitions,
  });

  const idealRate = (concurrency: number): number =>
    (concurrency * 1000) / handlerDelayMilliseconds;
  const timeoutMilliseconds =
    (records / idealRate(defaultConcurrency)) * 1000 + workerTimeSpareMilliseconds;
  const consume = async (
    side: ConsumeRequest['side'],
    concurrency: number,
  ): Promise<MeteredThroughput> => {
    const request: ConsumeRequest = {
      side,
      brokers: context.kafka.brokers,
      topic,
      groupId: `${context.runId}-slow-${side}-${concurrency}`,
      records,
      handlerDelayMilliseconds,
      // Ricochet's default side is left to its defaults, as a new user runs it.
      ...(side === 'ricochet-consume' && concurrency === defaultConcurrency ? {} : { concurrency }),
    };
    const result = await runInWorker<MeteredThroughput>(request, timeoutMilliseconds);
    context.progress(
      `slow handler, concurrency ${concurrency}: ${side} ${formatRate(result.recordsPerSecond)}`,
    );
    return result;
  };
  const measurements: ConcurrencyMeasurement[] = [];
  for (const [index, concurrency] of [defaultConcurrency, partitions].entries()) {
    const { kafkajs, ricochet } = await measureBothSides(index + 1, (side) =>
      consume(`${side}-consume`, concurrency),
    );
    measurements.push({ concurrency, kafkajs, ricochet });
  }

  const rows: ResultRow[] = measurements.map(({ concurrency, kafkajs, ricochet }) => ({
    scenario: `slow handler, ${handlerDelayMilliseconds} ms await, concurrency ${concurrency}${concurrency === defaultConcurrency ? ' (default)' : ''}, ideal ${formatRate(idealRate(concurrency))}`,
    baseline: `kafkajs ${formatRate(kafkajs.recordsPerSecond)}`,
    ricochet: formatRate(ricochet.recordsPerSecond),
    ratio: ricochet.recordsPerSecond / kafkajs.recordsPerSecond,
  }));
  rows.push({
    scenario: 'slow handler: issue 13 (ordering modes, max in flight) closes the gap',
    baseline: 'Parallel Consumer: added with issue 13',
    ricochet: '-',
  });
  const notes = [
    `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions; the handler awaits ${handlerDelayMilliseconds} ms (a timer) per record, then counts it; both sides handle one record at a time per partition, awaiting each.`,
    `Ricochet's main consumer with its defaults (concurrency ${defaultConcurrency}) and with concurrency ${partitions} (one partition per slot), against a plain kafkajs consumer (eachBatch, as in the happy path) with partitionsConsumedConcurrently at the same values; each side once per concurrency, in its own Node process with a fresh consumer group; rate = records / (last record handled - first record handled); the ideal is concurrency / delay.`,
    `This is the "before" of issue 13: with one record at a time per partition, no consumer gets past ${partitions} / ${handlerDelayMilliseconds} ms on ${partitions} partitions. Handling many records of a partition at once (ordering modes: key, partition, unordered; a max-in-flight limit; commits that skip the records still running) is what closes the gap, and Confluent's Parallel Consumer joins as a baseline then.`,
  ];
  return {
    id: 'slow-handler',
    title: 'Slow handler throughput',
    rows,
    notes,
    measurements: {
      records,
      valueBytes,
      partitions,
      handlerDelayMilliseconds,
      fillSeconds,
      byConcurrency: measurements,
    },
  };
}
