import { ConfigResourceTypes, ConfigSource, type Admin } from '@ricochet/kafka';
import { attemptOperation } from './errors.js';
import type { ObservedCluster, ObservedTopic } from './observed.js';

type TopicMetadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'][number];
type ConfigResource = Awaited<ReturnType<Admin['describeConfigs']>>['resources'][number];

/** Reads the broker count and the named topics that exist; absent topics are simply not in the map. */
export async function readCluster(
  admin: Admin,
  topicNames: readonly string[],
): Promise<ObservedCluster> {
  const cluster = await attemptOperation('describing the cluster', () => admin.describeCluster());
  const existing = await existingTopics(admin, topicNames);
  if (existing.length === 0) {
    return { brokerCount: cluster.brokers.length, topics: new Map() };
  }
  const what = `reading topics ${existing.join(', ')}`;
  const metadata = await attemptOperation(what, () =>
    admin.fetchTopicMetadata({ topics: existing }),
  );
  const configs = await attemptOperation(what, () =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: existing.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    }),
  );
  const topics = new Map<string, ObservedTopic>();
  for (const topic of metadata.topics) {
    const resource = configs.resources.find((candidate) => candidate.resourceName === topic.name);
    topics.set(topic.name, observeTopic(topic, resource));
  }
  return { brokerCount: cluster.brokers.length, topics };
}

/** Which of `topicNames` exist; listed first because metadata for no topics means all topics. */
export async function existingTopics(
  admin: Admin,
  topicNames: readonly string[],
): Promise<string[]> {
  const listed = new Set(await attemptOperation('listing topics', () => admin.listTopics()));
  return topicNames.filter((name) => listed.has(name));
}

function observeTopic(topic: TopicMetadata, resource: ConfigResource | undefined): ObservedTopic {
  const configs: Record<string, string> = {};
  const overrides: string[] = [];
  for (const entry of resource?.configEntries ?? []) {
    if (entry.configValue === null || entry.configValue === undefined) {
      continue;
    }
    configs[entry.configName] = entry.configValue;
    if (entry.configSource === ConfigSource.TOPIC_CONFIG) {
      overrides.push(entry.configName);
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
