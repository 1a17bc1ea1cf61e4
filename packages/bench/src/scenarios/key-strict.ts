import { formatDuration, tierTopicName } from '@ricochet/core';
import type { Ordering } from '@ricochet/main-consumer/defaults';
import type { KafkaDriver } from '@ricochet/kafka';
import { againstDefaultDriver, byDriver, delaysByDriver, drivers, ricochetOn } from '../drivers.js';
import {
  comparedRow,
  createFilledTopic,
  formatRate,
  inTurn,
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

/** A side of the scenario: Ricochet with an ordering compared, on a driver. */
interface Side {
  readonly ordering: ComparedOrdering;
  readonly driver: KafkaDriver;
}

/** Time a side gets: the fill is outside it, so minutes mean something is stuck. */
const sideTimeoutMilliseconds = 600_000;

/**
 * Scenario 7 (issue 14): what keeping each key's order across retries costs. Ricochet's main
 * consumer with `ordering: 'key'` against `ordering: 'key-strict'` on records of many keys, 1% of
 * them failing once and succeeding on their redelivery through a tier with a short delay; main and
 * delay consumer in one process, as in the retry round trip, on each driver. Each run gets a
 * fresh topic, filled before its process starts, and a fresh group; the sides take turns to go
 * first, and each driver's medians are compared. The rate is records / (the last record's success - the first success).
 */
export async function keyStrict(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, keys, failingEvery, runs } = context.settings.keyStrict;
  // One tier and one delay group for every run on a driver: the runs follow each other, and each
  // run's delay consumer goes on from where the previous one on its driver committed.
  const delays = delaysByDriver(context.settings.keyStrict.delayMilliseconds);
  const dlqTopic = `${context.runId}-key-strict-dlq`;
  await context.kafka.createTopics([
    ...drivers.map((driver) => ({ topic: tierTopicName(delays[driver]), partitions })),
    { topic: dlqTopic, partitions: 1 },
  ]);

  const measure = async ({ ordering, driver }: Side, run: number): Promise<FailOnceResult> => {
    const name = `key-strict-${ordering}-${driver}-${run}`;
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
      driver,
      topic,
      groupId: `${context.runId}-${name}`,
      delayGroupId: `${context.runId}-key-strict-delay-${driver}`,
      records,
      delayMilliseconds: delays[driver],
      dlqTopic,
      ordering,
    };
    if (ordering === 'key-strict') {
      await context.kafka.createGroupTopics(request.groupId, {
        tier: formatDuration(delays[driver]),
        deadLetterTopic: dlqTopic,
        partitions,
      });
    }
    const result = await runInWorker<FailOnceResult>(request, sideTimeoutMilliseconds);
    context.progress(
      `key-strict: ordering ${ordering} on ${driver}, run ${run}: ${formatRate(result.recordsPerSecond)}`,
    );
    return result;
  };

  const sides = drivers.flatMap((driver) =>
    orderingsCompared.map((ordering): Side => ({ ordering, driver })),
  );
  const measured = byDriver((): Record<ComparedOrdering, FailOnceResult[]> => ({
    key: [],
    'key-strict': [],
  }));
  for (let run = 1; run <= runs; run += 1) {
    // Taking turns to go first, so that no side always meets a warmer broker.
    for (const side of inTurn(run, sides)) {
      measured[side.driver][side.ordering].push(await measure(side, run));
    }
  }

  const rates = (driver: KafkaDriver, ordering: ComparedOrdering): number[] =>
    measured[driver][ordering].map((result) => result.recordsPerSecond);
  const perCpuSecond = (driver: KafkaDriver, ordering: ComparedOrdering): number[] =>
    measured[driver][ordering].map((result) => 1_000_000 / result.cpuMicrosecondsPerRecord);
  const rows = drivers.flatMap((driver): ResultRow[] => {
    const label = `key-strict against key, ${ricochetOn(driver)}`;
    const waited = measured[driver]['key-strict'].map((result) => result.outcomes['waiting'] ?? 0);
    const driverRows = [
      comparedRow(
        `${label}, 1 in ${failingEvery} records failing once through a ${delays[driver]} ms tier, median of ${runs} (records/s)`,
        { name: 'ordering key', value: median(rates(driver, 'key')) },
        median(rates(driver, 'key-strict')),
      ),
      comparedRow(
        `${label}, records per CPU second, median of ${runs}`,
        { name: 'ordering key', value: median(perCpuSecond(driver, 'key')) },
        median(perCpuSecond(driver, 'key-strict')),
      ),
    ];
    if (runs > 1) {
      rates(driver, 'key').forEach((rate, index) => {
        driverRows.push(
          comparedRow(
            `${label}, run ${index + 1}`,
            { name: 'ordering key', value: rate },
            rates(driver, 'key-strict')[index] as number,
          ),
        );
      });
    }
    driverRows.push({
      scenario: `key-strict, ${ricochetOn(driver)}: records that waited behind a blocked key, of ${records.toLocaleString('en-US')}`,
      baseline: '-',
      ricochet: waited.map((count) => count.toLocaleString('en-US')).join(', '),
    });
    return driverRows;
  });
  for (const ordering of orderingsCompared) {
    rows.push(
      ...againstDefaultDriver(
        `ordering ${ordering}, median of ${runs} (records/s)`,
        byDriver((driver) => median(rates(driver, ordering))),
      ),
    );
  }
  return {
    id: 'key-strict',
    title: 'Order kept across retries',
    rows,
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions over ${keys.toLocaleString('en-US')} keys (each key in one partition, in the io-bound scenario's pseudo-random order); 1 record in ${failingEvery} fails on its first delivery and succeeds on its redelivery after about ${context.settings.keyStrict.delayMilliseconds} ms (${drivers.map((driver) => `${delays[driver]} ms on ${driver}`).join(', ')}), the others succeed at once (a handler that counts).`,
      `Ricochet's main consumer with \`ordering: 'key'\` against \`ordering: 'key-strict'\` (otherwise its defaults), with the tier's delay consumer in the same Node process, started and assigned before the main consumer, both on each driver (${drivers.join(', ')}; a tier and delay group per driver); each run a fresh process, a fresh topic filled beforehand and a fresh group, the sides (orderings and drivers) taking turns to go first; rate = records / (last success - first success); records per CPU second = records / the process's CPU time over the same span. Under key-strict the records of a key behind a record in the tier wait in the group's waiting topic and are handled after it.`,
    ],
    measurements: {
      records,
      valueBytes,
      partitions,
      keys,
      failingEvery,
      delays,
      ...measured,
    },
  };
}
