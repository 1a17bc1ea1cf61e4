import { redeliveryTopic } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import { delaysByDriver, drivers, measureEachDriver } from '../drivers.js';
import type { BenchContext } from '../scenario.js';
import { redeliveryChoices, type Redelivery } from '@ricochet/main-consumer/defaults';

/**
 * Where a delay service sends a due record back to, compared row by row in the burst-retry and
 * shared-topic scenarios (issue 18). `source`: the record's original topic, where it queues
 * behind the main consumer's backlog and where every group reading that topic reads it too.
 * `group`: the group's own redelivery topic, read ahead of the source.
 */

export type RedeliveryTarget = Redelivery;

const topicsRead: Readonly<
  Record<RedeliveryTarget, (source: string, groupId: string) => readonly string[]>
> = {
  source: (source) => [source],
  group: (source, groupId) => [source, redeliveryTopic(groupId)],
};

/**
 * Creates what `target` needs beside the source and the tier: `group`, the group's redelivery
 * topic, as `ricochet topology create --group` makes it.
 */
export async function createTargetTopics(
  context: BenchContext,
  target: RedeliveryTarget,
  groupId: string,
  topics: { readonly tiers: string; readonly deadLetterTopic: string; readonly partitions: number },
): Promise<void> {
  if (target === 'group') {
    await context.kafka.createGroupTopics(groupId, {
      tier: topics.tiers,
      deadLetterTopic: topics.deadLetterTopic,
      partitions: topics.partitions,
    });
  }
}

/**
 * The topics a main consumer of `groupId` on `source` reads under `target`: those its records
 * and their redeliveries arrive on, and so those whose records it must have read to be done.
 */
export function topicsReadUnder(
  target: RedeliveryTarget,
  source: string,
  groupId: string,
): readonly string[] {
  return topicsRead[target](source, groupId);
}

/**
 * Runs `measure` for each target, one after another: at once, they would share the machine's
 * cores and the broker, and each would measure the other's load too.
 */
async function measureEachTarget<T>(
  measure: (target: RedeliveryTarget) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (const target of redeliveryChoices) {
    results.push(await measure(target));
  }
  return results;
}

/**
 * Runs `measure` for each target and, within it, on each driver, one after another, each run with
 * a tier delay of its own (a tier topic of its own), the drivers' a millisecond apart.
 */
export async function measureEachTargetOnEachDriver<T>(
  baseDelayMilliseconds: number,
  measure: (target: RedeliveryTarget, driver: KafkaDriver, delayMilliseconds: number) => Promise<T>,
): Promise<T[]> {
  const runs = await measureEachTarget(async (target) => {
    const delays = delaysByDriver(baseDelayMilliseconds);
    return measureEachDriver((driver) => measure(target, driver, delays[driver]));
  });
  return runs.flatMap((byDriver) => drivers.map((driver) => byDriver[driver]));
}
