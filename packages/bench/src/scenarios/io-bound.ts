import { defaultConcurrency, defaultMaxInFlight } from '@ricochet/main-consumer/defaults';
import type { KafkaDriver } from '@ricochet/kafka';
import { againstDefaultDriver, byDriver, drivers, ricochetOn } from '../drivers.js';
import {
  createFilledTopic,
  formatMegabytes,
  formatRate,
  inTurn,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { buildParallelConsumer, consumeWithParallelConsumer } from '../sides/parallel-consumer.js';
import type { MeteredThroughput } from '../statistics.js';
import { runInWorker } from '../worker-process.js';
import type { ConsumeRequest } from '../worker-protocol.js';

/** Time a side gets beyond handling every record one at a time: start, the group join. */
const sideTimeSpareMilliseconds = 120_000;
/** Ricochet at its defaults against the ideal: the issue's target, until the CPU is the limit. */
const idealShareTarget = 0.8;

/** A side's settings beyond what every side of the scenario shares. */
type SideRequest = Pick<
  ConsumeRequest,
  'side' | 'driver' | 'concurrency' | 'ordering' | 'maxInFlight'
>;

/** The key-ordered consumers at one limit of records in flight. */
interface LimitMeasurement {
  readonly maxInFlight: number;
  readonly parallelConsumer: MeteredThroughput;
  /** Ricochet with its defaults but for `maxInFlight`, on each driver. */
  readonly ricochet: Readonly<Record<KafkaDriver, MeteredThroughput>>;
  /**
   * Ricochet (on kafkajs) with every partition's batch in hand at once (`concurrency` = the
   * partitions), as Parallel Consumer works; measured only while the default concurrency is below
   * that.
   */
  readonly ricochetEveryPartition?: MeteredThroughput;
}

/** CPU cores the consuming process kept busy over its span (one is all a Node thread has). */
function coresBusy(result: MeteredThroughput): number {
  return (result.cpuMicrosecondsPerRecord * result.recordsPerSecond) / 1_000_000;
}

/**
 * Scenario 6: a handler that awaits a slow service (a fixed delay) per record, on records of many
 * keys, the "after" of issue 13. Ricochet's main consumer with its defaults (ordering by key,
 * `defaultMaxInFlight` records at once), on each driver, against Confluent's Parallel Consumer
 * (Java, KEY ordering, the same limit), Ricochet with `ordering: 'partition'` and plain kafkajs
 * `eachMessage`, each in a process of its own with a fresh group on the same topic; then the
 * key-ordered consumers at other limits, to find what bounds the rate beyond the delay.
 */
export async function ioBound(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, keys, handlerDelayMilliseconds, maxInFlightSweep } =
    context.settings.ioBound;
  // Built before the topic is filled: a first build downloads from Maven Central.
  const classPath = await buildParallelConsumer(context.progress);
  const { topic, fillSeconds } = await createFilledTopic(context, 'io-bound', {
    records,
    valueBytes,
    partitions,
    keys,
  });

  const idealRate = (inFlight: number): number => (inFlight * 1000) / handlerDelayMilliseconds;
  // The slowest a side may be: one record at a time in all.
  const timeoutMilliseconds = (records / idealRate(1)) * 1000 + sideTimeSpareMilliseconds;
  let sides = 0;
  const groupId = (): string => `${context.runId}-io-bound-${(sides += 1)}`;
  const consume = async (label: string, side: SideRequest): Promise<MeteredThroughput> => {
    const request: ConsumeRequest = {
      ...side,
      brokers: context.kafka.brokers,
      topic,
      groupId: groupId(),
      records,
      handlerDelayMilliseconds,
    };
    const result = await runInWorker<MeteredThroughput>(request, timeoutMilliseconds);
    context.progress(`io-bound: ${label}: ${formatRate(result.recordsPerSecond)}`);
    return result;
  };
  const parallelConsumer = async (maxConcurrency: number): Promise<MeteredThroughput> => {
    const result = await consumeWithParallelConsumer(
      classPath,
      {
        brokers: context.kafka.brokers,
        topic,
        groupId: groupId(),
        records,
        handlerDelayMilliseconds,
        maxConcurrency,
      },
      timeoutMilliseconds,
    );
    context.progress(
      `io-bound: Parallel Consumer, maxConcurrency ${maxConcurrency}: ${formatRate(result.recordsPerSecond)}`,
    );
    return result;
  };
  const measureEveryPartition = defaultConcurrency < partitions;
  /** The key-ordered sides at one limit; the side going first rotates with `round`. */
  const atLimit = async (maxInFlight: number, round: number): Promise<LimitMeasurement> => {
    const measured: {
      parallelConsumer?: MeteredThroughput;
      ricochet: Partial<Record<KafkaDriver, MeteredThroughput>>;
      ricochetEveryPartition?: MeteredThroughput;
    } = { ricochet: {} };
    const measures = [
      async () => (measured.parallelConsumer = await parallelConsumer(maxInFlight)),
      ...drivers.map(
        (driver) => async () =>
          (measured.ricochet[driver] = await consume(
            `${ricochetOn(driver)}, max in flight ${maxInFlight}`,
            maxInFlight === defaultMaxInFlight
              ? { side: 'ricochet-consume', driver } // its defaults, as a new user runs it
              : { side: 'ricochet-consume', driver, maxInFlight },
          )),
      ),
      ...(measureEveryPartition
        ? [
            async () =>
              (measured.ricochetEveryPartition = await consume(
                `Ricochet, max in flight ${maxInFlight}, concurrency ${partitions}`,
                {
                  side: 'ricochet-consume',
                  driver: 'kafkajs',
                  maxInFlight,
                  concurrency: partitions,
                },
              )),
          ]
        : []),
    ];
    for (const measure of inTurn(round, measures)) {
      await measure();
    }
    const { parallelConsumer: parallel } = measured;
    if (parallel === undefined || drivers.some((driver) => !measured.ricochet[driver])) {
      throw new Error(`a side at max in flight ${maxInFlight} was not measured`);
    }
    return {
      maxInFlight,
      parallelConsumer: parallel,
      ricochet: measured.ricochet as Record<KafkaDriver, MeteredThroughput>,
      ...(measured.ricochetEveryPartition === undefined
        ? {}
        : { ricochetEveryPartition: measured.ricochetEveryPartition }),
    };
  };

  const atDefault = await atLimit(defaultMaxInFlight, 0);
  const partitionOrdering = await consume(
    `Ricochet, ordering partition, concurrency ${partitions}`,
    { side: 'ricochet-consume', driver: 'kafkajs', ordering: 'partition', concurrency: partitions },
  );
  const kafkajs = await consume(
    `kafkajs eachMessage, partitionsConsumedConcurrently ${partitions}`,
    { side: 'kafkajs-each-message', driver: 'kafkajs', concurrency: partitions },
  );
  const sweep: LimitMeasurement[] = [];
  for (const [index, maxInFlight] of maxInFlightSweep.entries()) {
    sweep.push(
      maxInFlight === defaultMaxInFlight ? atDefault : await atLimit(maxInFlight, index + 1),
    );
  }

  const ricochet = atDefault.ricochet.kafkajs;
  const ideal = idealRate(defaultMaxInFlight);
  const shareOfIdeal = ricochet.recordsPerSecond / ideal;
  const parallelRate = atDefault.parallelConsumer.recordsPerSecond;
  /** A cell of the sweep: the rate, its share of the ideal and the CPU cores the side kept busy. */
  const sweepCell = (measured: MeteredThroughput, maxInFlight: number): string =>
    `${formatRate(measured.recordsPerSecond)} (${(measured.recordsPerSecond / idealRate(maxInFlight)).toFixed(2)}, ${coresBusy(measured).toFixed(2)})`;
  const rows: ResultRow[] = [
    {
      scenario: `io bound, ${handlerDelayMilliseconds} ms await, ${keys.toLocaleString('en-US')} keys: Ricochet's defaults (ordering key, max in flight ${defaultMaxInFlight}, concurrency ${defaultConcurrency}) against the ideal`,
      baseline: `ideal ${formatRate(ideal)}`,
      ricochet: formatRate(ricochet.recordsPerSecond),
      ratio: shareOfIdeal,
      target: `>= ${idealShareTarget}`,
      met: shareOfIdeal >= idealShareTarget,
    },
    {
      scenario: `io bound: against Parallel Consumer (KEY ordering, maxConcurrency ${defaultMaxInFlight})`,
      baseline: `Parallel Consumer ${formatRate(parallelRate)}`,
      ricochet: formatRate(ricochet.recordsPerSecond),
      ratio: ricochet.recordsPerSecond / parallelRate,
      target: '>= 1',
      met: ricochet.recordsPerSecond >= parallelRate,
    },
    {
      scenario: `io bound: against Ricochet's ordering partition (concurrency ${partitions})`,
      baseline: `ordering partition ${formatRate(partitionOrdering.recordsPerSecond)}`,
      ricochet: formatRate(ricochet.recordsPerSecond),
      ratio: ricochet.recordsPerSecond / partitionOrdering.recordsPerSecond,
    },
    {
      scenario: `io bound: against kafkajs eachMessage (partitionsConsumedConcurrently ${partitions})`,
      baseline: `kafkajs ${formatRate(kafkajs.recordsPerSecond)}`,
      ricochet: formatRate(ricochet.recordsPerSecond),
      ratio: ricochet.recordsPerSecond / kafkajs.recordsPerSecond,
    },
    {
      scenario: `io bound: peak RSS of the consuming process, Ricochet's defaults`,
      baseline: `kafkajs eachMessage ${formatMegabytes(kafkajs.peakResidentBytes)}`,
      ricochet: formatMegabytes(ricochet.peakResidentBytes),
      ratio: ricochet.peakResidentBytes / kafkajs.peakResidentBytes,
    },
    ...againstDefaultDriver(
      `io bound, Ricochet's defaults`,
      byDriver((driver) => atDefault.ricochet[driver].recordsPerSecond),
      { atLeast: 1 },
    ),
    ...againstDefaultDriver(
      `io bound, Ricochet's defaults, peak RSS of the consuming process`,
      byDriver((driver) => atDefault.ricochet[driver].peakResidentBytes),
      { format: formatMegabytes },
    ),
    ...sweep.flatMap((measured): ResultRow[] => {
      const parallel = measured.parallelConsumer.recordsPerSecond;
      const label = `io bound, max in flight ${measured.maxInFlight} (ideal ${formatRate(idealRate(measured.maxInFlight))})`;
      const rowOf = (variant: string, side: MeteredThroughput): ResultRow => ({
        scenario: `${label}, ${variant} (share of ideal, cores busy)`,
        baseline: `Parallel Consumer ${sweepCell(measured.parallelConsumer, measured.maxInFlight)}`,
        ricochet: sweepCell(side, measured.maxInFlight),
        ratio: side.recordsPerSecond / parallel,
      });
      return [
        ...drivers.map((driver) =>
          rowOf(
            `${ricochetOn(driver)}, concurrency ${defaultConcurrency}`,
            measured.ricochet[driver],
          ),
        ),
        ...(measured.ricochetEveryPartition === undefined
          ? []
          : [
              rowOf(
                `${ricochetOn('kafkajs')}, concurrency ${partitions}`,
                measured.ricochetEveryPartition,
              ),
            ]),
      ];
    }),
  ];
  const peakResident = drivers
    .map(
      (driver) =>
        `on ${driver} ${sweep.map(({ maxInFlight, ricochet: measured }) => `${formatMegabytes(measured[driver].peakResidentBytes)} at ${maxInFlight}`).join(', ')}`,
    )
    .join('; ');
  const notes = [
    `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions over ${keys.toLocaleString('en-US')} keys (each key in one partition, keys in a fixed pseudo-random order, so a key comes back within a few records as often as chance has it); the handler awaits ${handlerDelayMilliseconds} ms (a timer; Parallel Consumer: Thread.sleep on its worker thread) per record, then counts it.`,
    `Ricochet's main consumer with its defaults (ordering key, max in flight ${defaultMaxInFlight}, concurrency ${defaultConcurrency}: every partition's fetched batch in hand), on kafkajs and on each other driver (${drivers.join(', ')}); the other Ricochet sides on kafkajs; Confluent Parallel Consumer 0.5.3.3 (Java 17, kafka-clients 3.9.1) with KEY ordering, maxConcurrency ${defaultMaxInFlight} and its default commit mode (periodic, asynchronous); Ricochet with ordering partition and concurrency ${partitions} (one record at a time per partition, every partition at once); plain kafkajs eachMessage with partitionsConsumedConcurrently ${partitions} and autocommit. Each in its own process with a fresh consumer group on the same topic; rate = records / (last record handled - first record handled), measured inside each process; the ideal is max in flight / delay.`,
    `The sweep runs Ricochet on each driver (its defaults but for max in flight${measureEveryPartition ? `, and also with concurrency ${partitions} on kafkajs` : ''}) and Parallel Consumer at equal limits; cores busy = the consuming process's CPU time (user + system, every thread) over its span / the span: a Node process runs handlers on one thread, so near 1 the CPU, not the delay, bounds Ricochet's rate (Parallel Consumer's JVM runs a thread per slot). Ricochet's peak RSS (the process's, from getrusage): ${peakResident}; kafkajs eachMessage ${formatMegabytes(kafkajs.peakResidentBytes)}, Ricochet ordering partition ${formatMegabytes(partitionOrdering.peakResidentBytes)}, Parallel Consumer's JVM ${formatMegabytes(atDefault.parallelConsumer.peakResidentBytes)} (default heap settings).`,
  ];
  return {
    id: 'io-bound',
    title: 'I/O-bound handler throughput',
    rows,
    notes,
    measurements: {
      records,
      valueBytes,
      partitions,
      keys,
      handlerDelayMilliseconds,
      defaultMaxInFlight,
      defaultConcurrency,
      fillSeconds,
      ricochetDefaults: atDefault.ricochet,
      parallelConsumer: atDefault.parallelConsumer,
      partitionOrdering,
      kafkajsEachMessage: kafkajs,
      sweep,
    },
  };
}
