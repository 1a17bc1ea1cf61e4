import type { ConfigDescription, KafkaAdmin, TopicDescription } from '@ricochet/kafka';
import { attemptOperation } from './errors.js';
import type { ObservedCluster, ObservedTopic } from './observed.js';
import { kafkaDefaultMessageMaxBytes } from './plan.js';

/** Reads the brokers and the named topics that exist; absent topics are simply not in the map. */
export async function readCluster(
  admin: KafkaAdmin,
  topicNames: readonly string[],
): Promise<ObservedCluster> {
  const cluster = await attemptOperation('describing the cluster', () => admin.describeCluster());
  const brokerIds = cluster.brokers.map((broker) => String(broker.nodeId));
  const brokerConfigs = await attemptOperation('reading the broker configs', () =>
    admin.describeConfigs(
      brokerIds.map((name) => ({ type: 'broker', name, configNames: [messageMaxBytes] })),
    ),
  );
  const shape = {
    brokerCount: cluster.brokers.length,
    brokerMessageMaxBytes: largestMessageMaxBytes(brokerConfigs),
  };
  const existing = await existingTopics(admin, topicNames);
  if (existing.length === 0) {
    return { ...shape, topics: new Map() };
  }
  const what = `reading topics ${existing.join(', ')}`;
  const descriptions = await attemptOperation(what, () => admin.describeTopics(existing));
  const configs = await attemptOperation(what, () =>
    admin.describeConfigs(existing.map((name) => ({ type: 'topic', name }))),
  );
  const topics = new Map<string, ObservedTopic>();
  for (const topic of descriptions) {
    const resource = configs.find((candidate) => candidate.name === topic.name);
    topics.set(topic.name, observeTopic(topic, resource));
  }
  return { ...shape, topics };
}

const messageMaxBytes = 'message.max.bytes';

/** Brokers may be configured apart: a source topic may take as much as the most generous one. */
function largestMessageMaxBytes(resources: readonly ConfigDescription[]): number {
  const values = resources.flatMap((resource) =>
    resource.entries
      .filter((entry) => entry.name === messageMaxBytes && entry.value !== null)
      .map((entry) => Number(entry.value))
      .filter((value) => Number.isSafeInteger(value) && value > 0),
  );
  return values.length === 0 ? kafkaDefaultMessageMaxBytes : Math.max(...values);
}

/** Which of `topicNames` exist; listed first because metadata for no topics means all topics. */
export async function existingTopics(
  admin: KafkaAdmin,
  topicNames: readonly string[],
): Promise<string[]> {
  const listed = new Set(await attemptOperation('listing topics', () => admin.listTopics()));
  return topicNames.filter((name) => listed.has(name));
}

function observeTopic(
  topic: TopicDescription,
  resource: ConfigDescription | undefined,
): ObservedTopic {
  const configs: Record<string, string> = {};
  const overrides: string[] = [];
  for (const entry of resource?.entries ?? []) {
    if (entry.value === null) {
      continue;
    }
    configs[entry.name] = entry.value;
    if (entry.source === 'topic') {
      overrides.push(entry.name);
    }
  }
  const replicaCounts = topic.partitions.map((partition) => partition.replicas.length);
  return {
    name: topic.name,
    partitions: topic.partitions.length,
    replicationFactor: replicaCounts.length === 0 ? 0 : Math.min(...replicaCounts),
    configs,
    overrides,
  };
}
