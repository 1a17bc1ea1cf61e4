import { consumeWithKcat, kcatVersion } from '../kcat.js';
import {
  createFilledTopic,
  formatRate,
  measureBothSides,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { median, type MeteredThroughput, type ThroughputResult } from '../statistics.js';
import { runInWorker } from '../worker-process.js';
import type { ConsumeRequest } from '../worker-protocol.js';

const target = 0.95;

/**
 * Scenario 1: consume a full topic with a handler that does nothing. Ricochet's main consumer
 * against a plain kafkajs consumer with the same settings, each side in a fresh process, the
 * sides alternating; the median of each side's runs is compared. kcat reads the same topic for
 * the machine's ceiling.
 */
export async function happyPath(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, runs } = context.settings.happyPath;
  const { topic, fillSeconds } = await createFilledTopic(context, 'happy', {
    records,
    valueBytes,
    partitions,
  });

  const consume = async (side: ConsumeRequest['side'], run: number): Promise<MeteredThroughput> => {
    const request: ConsumeRequest = {
      side,
      brokers: context.kafka.brokers,
      topic,
      groupId: `${context.runId}-happy-${side}-${run}`,
      records,
      // The no-op handler at each side's default concurrency: this scenario measures the consumers.
      handlerDelayMilliseconds: 0,
    };
    const result = await runInWorker<MeteredThroughput>(request, 600_000);
    context.progress(
      `happy path run ${run}: ${side} ${formatRate(result.recordsPerSecond)}, ${result.cpuMicrosecondsPerRecord.toFixed(2)} µs CPU per record`,
    );
    return result;
  };
  const kafkajsRuns: MeteredThroughput[] = [];
  const ricochetRuns: MeteredThroughput[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const { kafkajs, ricochet } = await measureBothSides(run, (side) =>
      consume(`${side}-consume`, run),
    );
    kafkajsRuns.push(kafkajs);
    ricochetRuns.push(ricochet);
  }
  const kafkajsRates = kafkajsRuns.map((result) => result.recordsPerSecond);
  const ricochetRates = ricochetRuns.map((result) => result.recordsPerSecond);
  const kafkajs = median(kafkajsRates);
  const ricochet = median(ricochetRates);
  // Records per second of CPU time: what the other work on a shared machine moves least.
  const perCpuSecond = (results: readonly MeteredThroughput[]): number =>
    median(results.map((result) => 1e6 / result.cpuMicrosecondsPerRecord));
  const kafkajsPerCpuSecond = perCpuSecond(kafkajsRuns);
  const ricochetPerCpuSecond = perCpuSecond(ricochetRuns);
  const rows: ResultRow[] = [
    {
      scenario: `happy path, median of ${runs} (records/s)`,
      baseline: `kafkajs ${formatRate(kafkajs)}`,
      ricochet: formatRate(ricochet),
      ratio: ricochet / kafkajs,
      target: `>= ${target}`,
      met: ricochet / kafkajs >= target,
    },
    {
      scenario: `happy path, records per CPU second, median of ${runs}`,
      baseline: `kafkajs ${formatRate(kafkajsPerCpuSecond)}`,
      ricochet: formatRate(ricochetPerCpuSecond),
      ratio: ricochetPerCpuSecond / kafkajsPerCpuSecond,
    },
  ];
  if (runs > 1) {
    kafkajsRates.forEach((rate, index) => {
      const ricochetRate = ricochetRates[index] as number;
      rows.push({
        scenario: `happy path, run ${index + 1}`,
        baseline: `kafkajs ${formatRate(rate)}`,
        ricochet: formatRate(ricochetRate),
        ratio: ricochetRate / rate,
      });
    });
  }
  const notes = [
    `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions; each side in its own Node process with a fresh consumer group, the sides alternating; rate = records / (last record handled - first record handled); records per CPU second = records / the consuming process's CPU time (user + system, every thread) over the same span.`,
  ];
  const version = kcatVersion();
  let kcat: ThroughputResult | undefined;
  if (version === undefined) {
    notes.push('kcat is not installed (apt-get install kcat): the ceiling row is skipped.');
    context.progress('kcat is not installed: skipping the ceiling row');
  } else {
    kcat = await consumeWithKcat(context.kafka.brokers, topic, records);
    rows.push({
      scenario: 'machine ceiling: kcat reading the same topic',
      baseline: `kcat ${formatRate(kcat.recordsPerSecond)}`,
      ricochet: formatRate(ricochet),
      ratio: ricochet / kcat.recordsPerSecond,
    });
    notes.push(
      `kcat ${version}, simple consumer (no group, no commits), printing offsets only: the ceiling of a native client on this machine.`,
    );
  }
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
      kafkajsRecordsPerSecond: kafkajsRates,
      ricochetRecordsPerSecond: ricochetRates,
      kafkajsCpuMicrosecondsPerRecord: kafkajsRuns.map((result) => result.cpuMicrosecondsPerRecord),
      ricochetCpuMicrosecondsPerRecord: ricochetRuns.map(
        (result) => result.cpuMicrosecondsPerRecord,
      ),
      kcat: kcat ?? null,
    },
  };
}
