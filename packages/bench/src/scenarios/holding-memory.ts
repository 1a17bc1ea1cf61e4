import { randomBytes } from 'node:crypto';
import { tierTopicName } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import { sleep, waitFor } from '@ricochet/testing';
import { againstDefaultDriver, byDriver, drivers, measureEachDriver } from '../drivers.js';
import { fillTopic } from '../producers.js';
import {
  formatMegabytes,
  uniqueDelay,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { startDelayService, type ProcessMemory } from '../service-process.js';
import { firstFailureHeaders } from '../tier-records.js';

const targetMegabytes = 200;
/** How long both services run, once the held one has paused every partition, before measuring. */
const settleMilliseconds = 5_000;

/** A driver's delay services: the one holding every partition, and the one on an empty tier. */
interface HoldingMemory {
  readonly held: ProcessMemory;
  readonly idle: ProcessMemory;
}

/**
 * Scenario 4: a tier full of records not due for ten minutes. `ricochet run delay` (its own
 * process) reads the head of each partition, pauses it and holds; its memory is read from
 * /proc against an identical service on an empty tier; on each driver in turn.
 */
export async function holdingMemory(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions } = context.settings.holding;
  const heldDelay = uniqueDelay(context.settings.holding.delayMilliseconds);
  let idleDelay = uniqueDelay(context.settings.holding.delayMilliseconds);
  while (idleDelay === heldDelay) {
    idleDelay = uniqueDelay(context.settings.holding.delayMilliseconds);
  }
  const heldTier = tierTopicName(heldDelay);
  const idleTier = tierTopicName(idleDelay);
  const source = `${context.runId}-holding`;
  const dlq = `${context.runId}-holding-dlq`;
  await context.kafka.createTopics([
    { topic: source, partitions: 1 },
    { topic: heldTier, partitions },
    { topic: idleTier, partitions },
    { topic: dlq, partitions: 1 },
  ]);
  const fillStartedAt = performance.now();
  await fillTopic(
    context.kafka.client('ricochet-bench-producer'),
    {
      topic: heldTier,
      partitions,
      value: randomBytes(valueBytes),
      headers: (index) => firstFailureHeaders(source, 0, index, `${source}-main`, heldDelay),
    },
    records,
  );
  const fillSeconds = (performance.now() - fillStartedAt) / 1000;
  context.progress(
    `holding: ${records} records written to ${heldTier} in ${fillSeconds.toFixed(1)} s`,
  );

  const measure = async (driver: KafkaDriver): Promise<HoldingMemory> => {
    // Each driver's services in groups of their own: they read the same tiers from the start.
    const [held, idle] = await Promise.all([
      startDelayService(context.kafka.brokers, driver, heldTier, `${source}-held-${driver}`, dlq),
      startDelayService(context.kafka.brokers, driver, idleTier, `${source}-idle-${driver}`, dlq),
    ]);
    try {
      await waitFor(
        `every partition of ${heldTier} to be held on ${driver}`,
        async () =>
          (await held.metric(`ricochet_records_held{tier="${heldTier}"}`)) === partitions
            ? true
            : undefined,
        { timeoutMilliseconds: 120_000, intervalMilliseconds: 250 },
      );
      await sleep(settleMilliseconds);
      const memory = { held: held.memory(), idle: idle.memory() };
      context.progress(
        `holding on ${driver}: ${formatMegabytes(memory.held.residentBytes)} held, ${formatMegabytes(memory.idle.residentBytes)} idle`,
      );
      return memory;
    } finally {
      await Promise.all([held.stop(), idle.stop()]);
    }
  };
  const measured = await measureEachDriver(measure);
  const rows: ResultRow[] = [
    ...drivers.flatMap((driver): ResultRow[] => {
      const { held, idle } = measured[driver];
      return [
        {
          scenario: `delay consumer on ${driver} RSS, ${records.toLocaleString('en-US')} records held (VmRSS)`,
          baseline: `idle ${formatMegabytes(idle.residentBytes)}`,
          ricochet: formatMegabytes(held.residentBytes),
          ratio: held.residentBytes / idle.residentBytes,
          target: `< ${targetMegabytes} MB`,
          met: held.residentBytes < targetMegabytes * 1024 * 1024,
        },
        {
          scenario: `delay consumer on ${driver} peak RSS (VmHWM)`,
          baseline: `idle ${formatMegabytes(idle.peakResidentBytes)}`,
          ricochet: formatMegabytes(held.peakResidentBytes),
          ratio: held.peakResidentBytes / idle.peakResidentBytes,
        },
      ];
    }),
    ...againstDefaultDriver(
      `delay consumer RSS, ${records.toLocaleString('en-US')} records held`,
      byDriver((driver) => measured[driver].held.residentBytes),
      { format: formatMegabytes },
    ),
  ];
  return {
    id: 'holding-memory',
    title: 'Holding memory',
    rows,
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes (plus about 300 bytes of retry headers each) in a ${heldDelay} ms tier of ${partitions} partitions, due in about ten minutes; \`ricochet run delay\` in its own process, measured ${settleMilliseconds / 1000} s after it held every partition, against the same service on an empty tier; on each driver in turn (${drivers.join(', ')}), in groups of its own on the same tiers. The values are small so that a million records are written in under a minute; their size does not matter to the consumer, which keeps only the fetched head of each partition in memory.`,
    ],
    measurements: {
      records,
      valueBytes,
      partitions,
      fillSeconds,
      ...measured,
    },
  };
}
