import type { Logger } from '@ricochet/core';
import type { KafkaAdmin, PartitionDescription } from '@ricochet/kafka';
import { sleep } from './timing.js';

/** A partition and the broker leading it, as the admin port describes it. */
export interface LedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
}

const pollMilliseconds = 500;

/** Every partition of `topics` that has a leader right now, in topic and partition order. */
export async function ledPartitions(
  admin: KafkaAdmin,
  topics: readonly string[],
): Promise<LedPartition[]> {
  const described = await admin.describeTopics(topics);
  return described
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(({ name, partitions }) =>
      [...partitions]
        .sort((a, b) => a.partition - b.partition)
        .flatMap(({ partition, leader }) =>
          leader === undefined ? [] : [{ topic: name, partition, leader }],
        ),
    );
}

/**
 * Polls the partitions of `topics` until `done` holds for every one; resolves to the time it
 * took, or undefined when `timeoutMilliseconds` passed first. A describe that fails (a broker
 * going down under it) is logged and tried again.
 */
export async function waitForPartitions(
  admin: KafkaAdmin,
  topics: readonly string[],
  done: (partition: PartitionDescription) => boolean,
  timing: {
    readonly timeoutMilliseconds: number;
    readonly signal: AbortSignal;
    readonly logger: Logger;
  },
): Promise<number | undefined> {
  const startedAt = Date.now();
  for (;;) {
    try {
      const described = await admin.describeTopics(topics);
      if (described.every(({ partitions }) => partitions.every(done))) {
        return Date.now() - startedAt;
      }
    } catch (error) {
      timing.logger.warn('could not describe the partitions; trying again', { error });
    }
    if (Date.now() - startedAt > timing.timeoutMilliseconds) {
      return undefined;
    }
    await sleep(pollMilliseconds, timing.signal);
  }
}

/** Every replica in sync: the cluster is whole again. */
export const fullyInSync = (partition: PartitionDescription): boolean =>
  partition.inSyncReplicas.length === partition.replicas.length;

/** The broker is out of the partition's in-sync replicas (fenced, or fallen behind). */
export const outOfSync =
  (broker: number) =>
  (partition: PartitionDescription): boolean =>
    !partition.inSyncReplicas.includes(broker);

const minInsyncReplicasConfig = 'min.insync.replicas';

/**
 * Sets min.insync.replicas on `topics` to `value`, keeping each topic's other overrides (a change
 * replaces a topic's whole set); resolves to the function that puts the overrides back as they were.
 */
export async function setMinInsyncReplicas(
  admin: KafkaAdmin,
  topics: readonly string[],
  value: number,
): Promise<() => Promise<void>> {
  const described = await admin.describeConfigs(
    topics.map((topic) => ({ type: 'topic' as const, name: topic })),
  );
  const overrides = described.map(({ name, entries }) => ({
    topic: name,
    configs: Object.fromEntries(
      entries
        .filter((entry) => entry.source === 'topic' && entry.value !== null)
        .map((entry) => [entry.name, entry.value as string]),
    ),
  }));
  await admin.replaceTopicConfigs(
    overrides.map(({ topic, configs }) => ({
      topic,
      configs: { ...configs, [minInsyncReplicasConfig]: String(value) },
    })),
  );
  return () => admin.replaceTopicConfigs(overrides);
}
