import { formatDuration, tierTopicName } from '@ricochet/core';
import type { Ordering } from '@ricochet/main-consumer/defaults';
import {
  createFilledTopic,
  formatRate,
  uniqueDelay,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { failsOnceHeader } from '../sides/ricochet-fail-once.js';
import { median } from '../statistics.js';
import { runInWorker } from '../worker-process.js';
import type { FailOnceRequest, FailOnceResult } from '../worker-protocol.js';

/** The orderings compared: `key` is the baseline, `key-strict` what it costs to keep order. */
const orderingsCompared = ['key', 'key-strict'] as const satisfies readonly Ordering[];
type ComparedOrdering = (typeof orderingsCompared)[number];

/** Time a side gets: the fill is outside it, so minutes mean something is stuck. */
const sideTimeoutMilliseconds = 600_000;

/**
 * Scenario 7 (issue 14): what keeping each key's order across retries costs. Ricochet's main
 * consumer with `ordering: 'key'` against `ordering: 'key-strict'` on records of many keys, 1% of
 * them failing once and succeeding on their redelivery through a tier with a short delay; main and
 * delay consumer in one process, as in the retry round trip. Each run gets a fresh topic, filled
 * before its process starts, and a fresh group; the orderings alternate, and their medians are
 * compared. The rate is records / (the last record's success - the first success).
 */
export async function keyStrict(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, keys, failingEvery, runs } = context.settings.keyStrict;
  const delayMilliseconds = uniqueDelay(context.settings.keyStrict.delayMilliseconds);
  // One tier and one delay group for every run: the runs follow each other, and each run's
  // delay consumer goes on from where the previous one committed.
  const tierTopic = tierTopicName(delayMilliseconds);
  const dlqTopic = `${context.runId}-key-strict-dlq`;
  await context.kafka.createTopics([
    { topic: tierTopic, partitions },
    { topic: dlqTopic, partitions: 1 },
  ]);

  const measure = async (ordering: ComparedOrdering, run: number): Promise<FailOnceResult> => {
    const name = `key-strict-${ordering}-${run}`;
    const { topic } = await createFilledTopic(context, name, {
      records,
      valueBytes,
      partitions,
      keys,
      headers: (index): Record<string, string> =>
        index % failingEvery === 0 ? { [failsOnceHeader]: '1' } : {},
    });
    const request: FailOnceRequest = {
      side: 'ricochet-fail-once',
      brokers: context.kafka.brokers,
      topic,
      groupId: `${context.runId}-${name}`,
      delayGroupId: `${context.runId}-key-strict-delay`,
      records,
      delayMilliseconds,
      dlqTopic,
      ordering,
    };
    if (ordering === 'key-strict') {
      await context.kafka.createGroupTopics(request.groupId, {
        tier: formatDuration(delayMilliseconds),
        deadLetterTopic: dlqTopic,
        partitions,
      });
    }
    const result = await runInWorker<FailOnceResult>(request, sideTimeoutMilliseconds);
    context.progress(
      `key-strict: ordering ${ordering}, run ${run}: ${formatRate(result.recordsPerSecond)}`,
    );
    return result;
  };

  const measured: Record<ComparedOrdering, FailOnceResult[]> = { key: [], 'key-strict': [] };
  for (let run = 1; run <= runs; run += 1) {
    // Alternate which ordering goes first, so that neither always meets a warmer broker.
    const order = run % 2 === 1 ? orderingsCompared : [...orderingsCompared].reverse();
    for (const ordering of order) {
      measured[ordering].push(await measure(ordering, run));
    }
  }

  const rates = (ordering: ComparedOrdering): number[] =>
    measured[ordering].map((result) => result.recordsPerSecond);
  const perCpuSecond = (ordering: ComparedOrdering): number[] =>
    measured[ordering].map((result) => 1_000_000 / result.cpuMicrosecondsPerRecord);
  const waited = measured['key-strict'].map((result) => result.outcomes['waiting'] ?? 0);
  const keyRate = median(rates('key'));
  const strictRate = median(rates('key-strict'));
  const keyPerCpu = median(perCpuSecond('key'));
  const strictPerCpu = median(perCpuSecond('key-strict'));
  const rows: ResultRow[] = [
    {
      scenario: `key-strict against key, 1 in ${failingEvery} records failing once through a ${delayMilliseconds} ms tier, median of ${runs} (records/s)`,
      baseline: `ordering key ${formatRate(keyRate)}`,
      ricochet: formatRate(strictRate),
      ratio: strictRate / keyRate,
    },
    {
      scenario: `key-strict against key, records per CPU second, median of ${runs}`,
      baseline: `ordering key ${formatRate(keyPerCpu)}`,
      ricochet: formatRate(strictPerCpu),
      ratio: strictPerCpu / keyPerCpu,
    },
  ];
  if (runs > 1) {
    rates('key').forEach((rate, index) => {
      const strict = rates('key-strict')[index] as number;
      rows.push({
        scenario: `key-strict against key, run ${index + 1}`,
        baseline: `ordering key ${formatRate(rate)}`,
        ricochet: formatRate(strict),
        ratio: strict / rate,
      });
    });
  }
  rows.push({
    scenario: `key-strict: records that waited behind a blocked key, of ${records.toLocaleString('en-US')}`,
    baseline: '-',
    ricochet: waited.map((count) => count.toLocaleString('en-US')).join(', '),
  });
  return {
    id: 'key-strict',
    title: 'Order kept across retries',
    rows,
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions over ${keys.toLocaleString('en-US')} keys (each key in one partition, in the io-bound scenario's pseudo-random order); 1 record in ${failingEvery} fails on its first delivery and succeeds on its redelivery after ${delayMilliseconds} ms, the others succeed at once (a handler that counts).`,
      "Ricochet's main consumer with `ordering: 'key'` against `ordering: 'key-strict'` (otherwise its defaults), with the tier's delay consumer in the same Node process, started and assigned before the main consumer; each run a fresh process, a fresh topic filled beforehand and a fresh group, the orderings alternating; rate = records / (last success - first success); records per CPU second = records / the process's CPU time over the same span. Under key-strict the records of a key behind a record in the tier wait in the group's waiting topic and are handled after it.",
    ],
    measurements: {
      records,
      valueBytes,
      partitions,
      keys,
      failingEvery,
      delayMilliseconds,
      key: measured.key,
      keyStrict: measured['key-strict'],
    },
  };
}
