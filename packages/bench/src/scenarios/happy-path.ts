import type { KafkaDriver } from '@ricochet/kafka';
import { byDriver, drivers, ricochetOn } from '../drivers.js';
import { consumeWithKcat, kcatVersion } from '../kcat.js';
import {
  comparedRow,
  createFilledTopic,
  formatRate,
  inTurn,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { median, type MeteredThroughput, type ThroughputResult } from '../statistics.js';
import { runInWorker } from '../worker-process.js';
import type { ConsumeRequest } from '../worker-protocol.js';

/**
 * Ricochet's targets by driver: against the plain kafkajs consumer on kafkajs, against kcat (a
 * librdkafka client too, the machine's ceiling) on librdkafka.
 */
const targets: Readonly<
  Record<KafkaDriver, { readonly kafkajs?: number; readonly kcat?: number }>
> = {
  kafkajs: { kafkajs: 0.95 },
  librdkafka: { kcat: 0.8 },
};

/** A side of the happy path: the plain kafkajs consumer, or Ricochet's main consumer on a driver. */
interface HappySide {
  readonly side: ConsumeRequest['side'];
  readonly driver: KafkaDriver;
}

const sides: readonly HappySide[] = [
  { side: 'kafkajs-consume', driver: 'kafkajs' },
  ...drivers.map((driver): HappySide => ({ side: 'ricochet-consume', driver })),
];

/** Records per second of CPU time: what the other work on a shared machine moves least. */
function perCpuSecond(result: MeteredThroughput): number {
  return 1e6 / result.cpuMicrosecondsPerRecord;
}

/**
 * Scenario 1: consume a full topic with a handler that does nothing. Ricochet's main consumer on
 * each driver against a plain kafkajs consumer with the same settings, each side in a fresh
 * process, the sides taking turns to go first; the median of each side's runs is compared. kcat
 * reads the same topic for the machine's ceiling.
 */
export async function happyPath(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, runs } = context.settings.happyPath;
  const { topic, fillSeconds } = await createFilledTopic(context, 'happy', {
    records,
    valueBytes,
    partitions,
  });

  const consume = async ({ side, driver }: HappySide, run: number): Promise<MeteredThroughput> => {
    const request: ConsumeRequest = {
      side,
      brokers: context.kafka.brokers,
      driver,
      topic,
      groupId: `${context.runId}-happy-${side}-${driver}-${run}`,
      records,
      // The no-op handler at each side's default concurrency: this scenario measures the consumers.
      handlerDelayMilliseconds: 0,
    };
    const result = await runInWorker<MeteredThroughput>(request, 600_000);
    context.progress(
      `happy path run ${run}: ${side} on ${driver} ${formatRate(result.recordsPerSecond)}, ${result.cpuMicrosecondsPerRecord.toFixed(2)} µs CPU per record`,
    );
    return result;
  };
  const kafkajsRuns: MeteredThroughput[] = [];
  const ricochetRuns = byDriver((): MeteredThroughput[] => []);
  for (let run = 1; run <= runs; run += 1) {
    for (const side of inTurn(run, sides)) {
      const result = await consume(side, run);
      (side.side === 'kafkajs-consume' ? kafkajsRuns : ricochetRuns[side.driver]).push(result);
    }
  }
  const rates = (results: readonly MeteredThroughput[]): number[] =>
    results.map((result) => result.recordsPerSecond);
  const kafkajs = { name: 'kafkajs', value: median(rates(kafkajsRuns)) };
  const kafkajsPerCpuSecond = { name: 'kafkajs', value: median(kafkajsRuns.map(perCpuSecond)) };
  const rows: ResultRow[] = drivers.flatMap((driver): ResultRow[] => {
    const measured = ricochetRuns[driver];
    return [
      comparedRow(
        `happy path, ${ricochetOn(driver)}, median of ${runs} (records/s)`,
        kafkajs,
        median(rates(measured)),
        { atLeast: targets[driver].kafkajs },
      ),
      comparedRow(
        `happy path, ${ricochetOn(driver)}, records per CPU second, median of ${runs}`,
        kafkajsPerCpuSecond,
        median(measured.map(perCpuSecond)),
      ),
    ];
  });
  if (runs > 1) {
    kafkajsRuns.forEach((baseline, index) => {
      for (const driver of drivers) {
        const measured = ricochetRuns[driver][index] as MeteredThroughput;
        rows.push(
          comparedRow(
            `happy path, ${ricochetOn(driver)}, run ${index + 1}`,
            { name: 'kafkajs', value: baseline.recordsPerSecond },
            measured.recordsPerSecond,
          ),
        );
      }
    });
  }
  const notes = [
    `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions; each side (the plain kafkajs consumer, Ricochet's main consumer on ${drivers.join(' and on ')}) in its own Node process with a fresh consumer group, the sides taking turns to go first; rate = records / (last record handled - first record handled); records per CPU second = records / the consuming process's CPU time (user + system, every thread, librdkafka's included) over the same span.`,
  ];
  const version = kcatVersion();
  let kcat: ThroughputResult | undefined;
  if (version === undefined) {
    notes.push('kcat is not installed (apt-get install kcat): the ceiling rows are skipped.');
    context.progress('kcat is not installed: skipping the ceiling rows');
  } else {
    kcat = await consumeWithKcat(context.kafka.brokers, topic, records);
    const ceiling = { name: 'kcat', value: kcat.recordsPerSecond };
    for (const driver of drivers) {
      rows.push(
        comparedRow(
          `machine ceiling: kcat reading the same topic, against ${ricochetOn(driver)}`,
          ceiling,
          median(rates(ricochetRuns[driver])),
          { atLeast: targets[driver].kcat },
        ),
      );
    }
    notes.push(
      `kcat ${version}, simple consumer (no group, no commits), printing offsets only: the ceiling of a native client on this machine.`,
    );
  }
  const measuredByDriver = (
    pick: (result: MeteredThroughput) => number,
  ): Record<KafkaDriver, number[]> => byDriver((driver) => ricochetRuns[driver].map(pick));
  return {
    id: 'happy-path',
    title: 'Happy path throughput',
    rows,
    notes,
    measurements: {
      records,
      valueBytes,
      partitions,
      fillSeconds,
      kafkajsRecordsPerSecond: rates(kafkajsRuns),
      ricochetRecordsPerSecond: measuredByDriver((result) => result.recordsPerSecond),
      kafkajsCpuMicrosecondsPerRecord: kafkajsRuns.map((result) => result.cpuMicrosecondsPerRecord),
      ricochetCpuMicrosecondsPerRecord: measuredByDriver(
        (result) => result.cpuMicrosecondsPerRecord,
      ),
      kcat: kcat ?? null,
    },
  };
}
