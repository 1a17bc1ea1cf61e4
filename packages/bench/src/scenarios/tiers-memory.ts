import { randomBytes } from 'node:crypto';
import { tierTopicName } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import { sleep, waitFor } from '@ricochet/testing';
import { drivers, measureEachDriver } from '../drivers.js';
import { fillTopic } from '../producers.js';
import {
  formatMegabytes,
  uniqueDelay,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { ServiceProcess, type ProcessMemory } from '../service-process.js';
import { firstFailureHeaders } from '../tier-records.js';

const tierBaseDelaysMilliseconds = [3_000, 4_000, 5_000] as const;
const recordsPerTier = 1_000;
const valueBytes = 1_024;
const partitions = 6;
/** How long the services run, once ready, before their idle memory is read. */
const settleMilliseconds = 5_000;

/** A driver's two layouts. */
interface Layouts {
  readonly separate: LayoutMemory;
  readonly together: LayoutMemory;
}

/** The memory of a layout's processes, added up. */
interface LayoutMemory {
  readonly idle: ProcessMemory;
  readonly loaded: ProcessMemory;
}

function total(memories: readonly ProcessMemory[]): ProcessMemory {
  return {
    residentBytes: memories.reduce((sum, memory) => sum + memory.residentBytes, 0),
    peakResidentBytes: memories.reduce((sum, memory) => sum + memory.peakResidentBytes, 0),
  };
}

/**
 * Scenario 9 (issue 18): the resident memory of three delay tiers served by one process
 * (`ricochet run delay --tier a --tier b --tier c`) against three processes of one tier each, idle
 * and once each tier has redelivered a thousand records. Each layout has tier topics of its own,
 * so each redelivers exactly its own records, and they run one after the other, on each driver.
 */
export async function tiersMemory(context: BenchContext): Promise<ScenarioResult> {
  const target = `${context.runId}-tiers-target`;
  const dlq = `${context.runId}-tiers-dlq`;
  await context.kafka.createTopics([
    { topic: target, partitions: 1 },
    { topic: dlq, partitions: 1 },
  ]);
  const measure = async (
    layout: string,
    start: (tiers: readonly string[]) => Promise<ServiceProcess[]>,
  ): Promise<LayoutMemory> => {
    const delays = tierBaseDelaysMilliseconds.map((base) => uniqueDelay(base));
    const tiers = delays.map((delay) => tierTopicName(delay));
    await context.kafka.createTopics(tiers.map((topic) => ({ topic, partitions })));
    const services = await start(tiers);
    try {
      await sleep(settleMilliseconds);
      const idle = total(services.map((service) => service.memory()));
      await Promise.all(
        tiers.map((tier, index) =>
          fillTopic(
            context.kafka.client('ricochet-bench-producer'),
            {
              topic: tier,
              partitions,
              value: randomBytes(valueBytes),
              headers: (record) =>
                firstFailureHeaders(target, 0, record, `${target}-main`, delays[index] ?? 0),
            },
            recordsPerTier,
          ),
        ),
      );
      await waitFor(
        `${layout}: every record redelivered`,
        async () => {
          const counts = await Promise.all(
            services.flatMap((service) =>
              tiers.map((tier) =>
                service.metric(
                  `ricochet_records_redelivered_total{tier="${tier}",topic="${target}"}`,
                ),
              ),
            ),
          );
          const redelivered = counts.reduce<number>((sum, count) => sum + (count ?? 0), 0);
          return redelivered >= recordsPerTier * tiers.length ? true : undefined;
        },
        { timeoutMilliseconds: 120_000, intervalMilliseconds: 250 },
      );
      const loaded = total(services.map((service) => service.memory()));
      context.progress(
        `tiers-memory: ${layout}: idle ${formatMegabytes(idle.residentBytes)}, peak ${formatMegabytes(loaded.peakResidentBytes)}`,
      );
      return { idle, loaded };
    } finally {
      await Promise.all(services.map((service) => service.stop()));
    }
  };
  const layouts = async (driver: KafkaDriver): Promise<Layouts> => {
    const connection = [
      '--brokers',
      context.kafka.brokers.join(','),
      '--driver',
      driver,
      '--dlq',
      dlq,
    ];
    const separate = await measure(`three processes on ${driver}`, (tiers) =>
      Promise.all(
        tiers.map((tier) =>
          ServiceProcess.start(`the delay consumer of ${tier} on ${driver}`, [
            'delay',
            '--tier',
            tier,
            ...connection,
          ]),
        ),
      ),
    );
    const together = await measure(`one process on ${driver}`, async (tiers) => [
      await ServiceProcess.start(`the delay consumer of three tiers on ${driver}`, [
        'delay',
        ...tiers.flatMap((tier) => ['--tier', tier]),
        ...connection,
      ]),
    ]);
    return { separate, together };
  };
  const measured = await measureEachDriver(layouts);
  const rows = drivers.flatMap((driver): ResultRow[] => {
    const { separate, together } = measured[driver];
    const row = (scenario: string, pick: (memory: LayoutMemory) => number): ResultRow => ({
      scenario: `three delay tiers on ${driver}, ${scenario}`,
      baseline: `three processes ${formatMegabytes(pick(separate))}`,
      ricochet: formatMegabytes(pick(together)),
      ratio: pick(together) / pick(separate),
    });
    return [
      row('idle RSS (VmRSS, summed)', (memory) => memory.idle.residentBytes),
      row('RSS after redelivering', (memory) => memory.loaded.residentBytes),
      row('peak RSS (VmHWM, summed)', (memory) => memory.loaded.peakResidentBytes),
    ];
  });
  return {
    id: 'tiers-memory',
    title: 'Three tiers: one process against three',
    rows,
    notes: [
      `Three tiers of about ${tierBaseDelaysMilliseconds.map((delay) => delay / 1000).join(', ')} s, ${partitions} partitions each; idle read ${settleMilliseconds / 1000} s after every process was ready, then ${recordsPerTier.toLocaleString('en-US')} records of ${valueBytes} bytes written to each tier and redelivered. \`ricochet run delay --tier a --tier b --tier c\` (one process, a consumer group per tier) against one \`ricochet run delay --tier x\` process per tier; each layout on tier topics of its own, one after the other, on each driver in turn (${drivers.join(', ')}).`,
    ],
    measurements: { recordsPerTier, valueBytes, partitions, ...measured },
  };
}
