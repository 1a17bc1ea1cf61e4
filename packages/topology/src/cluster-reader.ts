import { ConfigResourceTypes, ConfigSource, type Admin } from '@ricochet/kafka';
import { attemptOperation } from './errors.js';
import type { ObservedCluster, ObservedTopic } from './observed.js';
import { kafkaDefaultMessageMaxBytes } from './plan.js';

type TopicMetadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'][number];
type ConfigResource = Awaited<ReturnType<Admin['describeConfigs']>>['resources'][number];

/** Reads the brokers and the named topics that exist; absent topics are simply not in the map. */
export async function readCluster(
  admin: Admin,
  topicNames: readonly string[],
): Promise<ObservedCluster> {
  const cluster = await attemptOperation('describing the cluster', () => admin.describeCluster());
  const brokerIds = cluster.brokers.map((broker) => String(broker.nodeId));
  const brokerConfigs = await attemptOperation('reading the broker configs', () =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: brokerIds.map((name) => ({
        type: ConfigResourceTypes.BROKER,
        name,
        configNames: [messageMaxBytes],
      })),
    }),
  );
  const shape = {
    brokerCount: cluster.brokers.length,
    brokerMessageMaxBytes: largestMessageMaxBytes(brokerConfigs.resources),
  };
  const existing = await existingTopics(admin, topicNames);
  if (existing.length === 0) {
    return { ...shape, topics: new Map() };
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
  return { ...shape, topics };
}

const messageMaxBytes = 'message.max.bytes';

/** Brokers may be configured apart: a source topic may take as much as the most generous one. */
function largestMessageMaxBytes(resources: readonly ConfigResource[]): number {
  const values = resources.flatMap((resource) =>
    resource.configEntries
      .filter((entry) => entry.configName === messageMaxBytes)
      .map((entry) => Number(entry.configValue))
      .filter((value) => Number.isSafeInteger(value) && value > 0),
  );
  return values.length === 0 ? kafkaDefaultMessageMaxBytes : Math.max(...values);
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
