/**
 * Where a delay service sends a due record back to, compared row by row in the burst-retry and
 * shared-topic scenarios (issue 18). `source`: the record's original topic, where it queues
 * behind the main consumer's backlog and where every group reading that topic reads it too.
 */
const redeliveryTargets = ['source'] as const;

export type RedeliveryTarget = (typeof redeliveryTargets)[number];

const topicsRead: Readonly<
  Record<RedeliveryTarget, (source: string, groupId: string) => readonly string[]>
> = {
  source: (source) => [source],
};

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
export async function measureEachTarget<T>(
  measure: (target: RedeliveryTarget) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (const target of redeliveryTargets) {
    results.push(await measure(target));
  }
  return results;
}
