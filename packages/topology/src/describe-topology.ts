import type { KafkaAdmin } from '@ricochet/kafka';
import { readCluster } from './cluster-reader.js';
import type { CompiledTopologyOptions } from './options.js';
import { plannedTopicNames, TopicConfig, type TopicRole } from './plan.js';

export type DescribedTopic =
  | { readonly name: string; readonly role: TopicRole; readonly exists: false }
  | {
      readonly name: string;
      readonly role: TopicRole;
      readonly exists: true;
      readonly partitions: number;
      readonly replicationFactor: number;
      /** `undefined` when the broker reported no number (e.g. unlimited retention, -1). */
      readonly retentionMilliseconds: number | undefined;
      readonly minInsyncReplicas: number | undefined;
      /** `cleanup.policy`: `delete`, or `compact` for a blocked-keys topic. */
      readonly cleanupPolicy: string | undefined;
      /** `message.timestamp.type`: `LogAppendTime` for a waiting topic. */
      readonly timestampType: string | undefined;
    };

export interface TopologyDescription {
  readonly brokerCount: number;
  /** Every topic the options name, existing or not, in plan order. */
  readonly topics: readonly DescribedTopic[];
}

/** Reports the topics the options name as the cluster has them. */
export async function describeTopology(
  admin: KafkaAdmin,
  options: CompiledTopologyOptions,
): Promise<TopologyDescription> {
  const planned = plannedTopicNames(options);
  const observed = await readCluster(
    admin,
    planned.map((topic) => topic.name),
  );
  return {
    brokerCount: observed.brokerCount,
    topics: planned.map(({ name, role }): DescribedTopic => {
      const topic = observed.topics.get(name);
      if (topic === undefined) {
        return { name, role, exists: false };
      }
      return {
        name,
        role,
        exists: true,
        partitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        retentionMilliseconds: positiveNumber(topic.configs[TopicConfig.retention]),
        minInsyncReplicas: positiveNumber(topic.configs[TopicConfig.minInsyncReplicas]),
        cleanupPolicy: topic.configs[TopicConfig.cleanupPolicy],
        timestampType: topic.configs[TopicConfig.messageTimestampType],
      };
    }),
  };
}

function positiveNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
