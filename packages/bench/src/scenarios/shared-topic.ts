import { formatDuration, readHeaderText, tierTopicName } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import { createMainConsumer } from '@ricochet/main-consumer';
import { waitFor } from '@ricochet/testing';
import { benchLogger } from '../bench-logger.js';
import { drivers, ricochetOn } from '../drivers.js';
import {
  createFilledTopic,
  type BenchContext,
  type ResultRow,
  type ScenarioResult,
} from '../scenario.js';
import { startDelayService } from '../service-process.js';
import { failsOnceHeader } from '../sides/ricochet-fail-once.js';
import {
  createTargetTopics,
  measureEachTargetOnEachDriver,
  topicsReadUnder,
  type RedeliveryTarget,
} from './redelivery-targets.js';

/** What one group's main consumer read and did. */
interface GroupReads {
  readonly groupId: string;
  /** Records handed on, as its `consumed` batch events count them: what it read. */
  readonly read: number;
  /** Records it sent to the tier: its own retries. */
  readonly ownRetries: number;
  /** First tries: the originals it succeeded or sent to the tier. */
  readonly firstTries: number;
  /** Its own redeliveries it succeeded. */
  readonly retriesSucceeded: number;
  /** Other groups' redeliveries it read and left alone. */
  readonly skippedOtherGroups: number;
}

interface SharedRun {
  readonly target: RedeliveryTarget;
  readonly driver: KafkaDriver;
  /** The records in the source topic once filled, before any redelivery. */
  readonly originals: number;
  readonly delayMilliseconds: number;
  readonly groups: readonly GroupReads[];
}

/** A group's consumer and the counts its events and outcomes keep. */
class CountedGroup {
  readonly groupId: string;
  read = 0;
  ownRetries = 0;
  firstTries = 0;
  retriesSucceeded = 0;
  skippedOtherGroups = 0;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  reads(): GroupReads {
    const { groupId, read, ownRetries, firstTries, retriesSucceeded, skippedOtherGroups } = this;
    return { groupId, read, ownRetries, firstTries, retriesSucceeded, skippedOtherGroups };
  }

  /** Every original tried, and every retry of its own succeeded: its redeliveries are all written. */
  triedAll(originals: number): boolean {
    return this.firstTries >= originals && this.retriesSucceeded >= this.ownRetries;
  }
}

/**
 * One source topic, filled first, read by `groups` main-consumer groups in the bench's process;
 * group `g` fails the records marked for it (a share of 1 in `failingEvery`, each group its own)
 * once. One `ricochet run delay` process serves the tier for every group, sending due records to
 * `target`. The delay service and the main consumers all run on `driver`. Done once every group
 * has succeeded every record and read every record on the topics it reads (other groups'
 * redeliveries included).
 */
async function runShared(
  context: BenchContext,
  target: RedeliveryTarget,
  driver: KafkaDriver,
  delayMilliseconds: number,
): Promise<SharedRun> {
  const { records, valueBytes, partitions, groups, failingEvery } = context.settings.sharedTopic;
  const tier = tierTopicName(delayMilliseconds);
  const name = `shared-${target}-${driver}`;
  const dlq = `${context.runId}-${name}-dlq`;
  await context.kafka.createTopics([
    { topic: tier, partitions },
    { topic: dlq, partitions: 1 },
  ]);
  const delayService = await startDelayService(
    context.kafka.brokers,
    driver,
    tier,
    `${context.runId}-${name}-delay`,
    dlq,
  );
  try {
    const { topic, written: originals } = await createFilledTopic(context, name, {
      records,
      valueBytes,
      partitions,
      headers: (index): Record<string, string> =>
        index % failingEvery < groups ? { [failsOnceHeader]: String(index % failingEvery) } : {},
    });
    const counted = Array.from(
      { length: groups },
      (_, index) => new CountedGroup(`${context.runId}-${name}-${index}`),
    );
    for (const group of counted) {
      await createTargetTopics(context, target, group.groupId, {
        tiers: formatDuration(delayMilliseconds),
        deadLetterTopic: dlq,
        partitions,
      });
    }
    const consumers = counted.map((group, index) =>
      createMainConsumer({
        brokers: context.kafka.brokers,
        driver,
        groupId: group.groupId,
        topics: [topic],
        redelivery: target,
        tiers: formatDuration(delayMilliseconds),
        dlqTopic: dlq,
        fromBeginning: true,
        logger: benchLogger('shared-topic'),
        handler: (record) => {
          if (
            record.tryCount === 0 &&
            readHeaderText(record.headers, failsOnceHeader) === String(index)
          ) {
            throw new Error(`fails on its first delivery to group ${index}`);
          }
        },
        onOutcome: (outcome) => {
          if (outcome.kind === 'succeeded' && outcome.tryCount === 0) {
            group.firstTries += 1;
          } else if (outcome.kind === 'succeeded') {
            group.retriesSucceeded += 1;
          } else if (outcome.kind === 'sent-to-tier') {
            group.firstTries += 1;
            group.ownRetries += 1;
          } else if (outcome.kind === 'skipped-other-group') {
            group.skippedOtherGroups += 1;
          }
        },
        onEvent: (event) => {
          if (event.type === 'consumed') {
            group.read += event.records;
          }
        },
      }),
    );
    const timeout = { timeoutMilliseconds: delayMilliseconds + 600_000, intervalMilliseconds: 200 };
    try {
      await Promise.all(consumers.map((consumer) => consumer.start()));
      await waitFor(
        `${name}: every group to succeed every record`,
        () => (counted.every((group) => group.triedAll(originals)) ? true : undefined),
        timeout,
      );
      // Every redelivery has been written (its own group handled it), so these counts are final.
      const toRead = await Promise.all(
        counted.map(async (group) => {
          const topics = topicsReadUnder(target, topic, group.groupId);
          const counts = await Promise.all(topics.map((read) => context.kafka.recordsIn(read)));
          return counts.reduce((sum, count) => sum + count, 0);
        }),
      );
      await waitFor(
        `${name}: every group to read every record on its topics`,
        () =>
          counted.every((group, index) => group.read >= (toRead[index] ?? 0)) ? true : undefined,
        timeout,
      );
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    }
    const run: SharedRun = {
      target,
      driver,
      originals,
      delayMilliseconds,
      groups: counted.map((group) => group.reads()),
    };
    context.progress(
      `shared-topic: redelivery to ${target} on ${driver}: records read per own retry ${run.groups.map((group) => (group.read / group.ownRetries).toFixed(1)).join(', ')}`,
    );
    return run;
  } finally {
    await delayService.stop();
  }
}

/** `mean (groups min-max)` of a per-group figure, to one decimal. */
function spread(values: readonly number[]): string {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return `${mean.toFixed(1)} (groups ${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)})`;
}

function sharedRows(run: SharedRun): ResultRow[] {
  const { originals, groups } = run;
  const target = `${run.target}, ${ricochetOn(run.driver)}`;
  return [
    {
      scenario: `shared topic, redelivery to ${target}: records read per own retry`,
      baseline: '-',
      ricochet: spread(groups.map((group) => group.read / group.ownRetries)),
    },
    {
      scenario: `shared topic, redelivery to ${target}: redeliveries read per own retry`,
      baseline: '-',
      ricochet: spread(groups.map((group) => (group.read - originals) / group.ownRetries)),
    },
  ];
}

/**
 * Scenario 11 (issue 18): several groups on one source topic, each retrying a share of its own.
 * A redelivery sent back to the source is read by every group there, and all but its own group
 * skip it; this counts what each group reads for each retry of its own. Rows per target and
 * driver.
 */
export async function sharedTopic(context: BenchContext): Promise<ScenarioResult> {
  const { records, valueBytes, partitions, groups, failingEvery } = context.settings.sharedTopic;
  const runs = await measureEachTargetOnEachDriver(
    context.settings.sharedTopic.delayMilliseconds,
    (target, driver, delayMilliseconds) => runShared(context, target, driver, delayMilliseconds),
  );
  return {
    id: 'shared-topic',
    title: 'Groups sharing a source topic',
    rows: runs.flatMap(sharedRows),
    notes: [
      `${records.toLocaleString('en-US')} records of ${valueBytes} bytes in ${partitions} partitions, read by ${groups} main-consumer groups (defaults, in the bench's process); each group fails a share of its own of 1 in ${failingEvery} records once, and they succeed on their redelivery through a tier of ${context.settings.sharedTopic.delayMilliseconds} ms plus 1-99 ms served by one \`ricochet run delay\` process. "Read" counts the records each group's main consumer handed on (its \`consumed\` batch events: handled, sent to the tier, or another group's redelivery skipped), once it has read every record on the topics it reads; "redeliveries read" leaves out the ${records.toLocaleString('en-US')} originals. One own retry costs one redelivery read at best. Each target runs on each driver (${drivers.join(', ')}: the delay service and the main consumers all on it), on topics, a tier and groups of its own.`,
    ],
    measurements: { records, valueBytes, partitions, groups, failingEvery, runs },
  };
}
