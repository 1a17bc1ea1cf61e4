import { type ObservedCluster, type ObservedTopic, type TopicSpec } from '@ricochet/topology';
import { kafkaDefaultMessageMaxBytes } from '@ricochet/topology/internal';

/** The brokers' message.max.bytes in these tests: Kafka's default. */
export const brokerMessageMaxBytes = kafkaDefaultMessageMaxBytes;

/** An observed topic exactly as `spec` wants it, with `changes` on top. */
export function observedAs(spec: TopicSpec, changes: Partial<ObservedTopic> = {}): ObservedTopic {
  return {
    name: spec.name,
    partitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    configs: { ...spec.configs, 'segment.ms': '604800000' },
    overrides: Object.keys(spec.configs),
    ...changes,
  };
}

export function clusterOf(topics: readonly ObservedTopic[], brokerCount = 1): ObservedCluster {
  return {
    brokerCount,
    brokerMessageMaxBytes,
    topics: new Map(topics.map((topic) => [topic.name, topic])),
  };
}
