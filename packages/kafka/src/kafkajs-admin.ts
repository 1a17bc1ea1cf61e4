import kafkajs from 'kafkajs';
import {
  committedMetadata,
  type ClusterDescription,
  type CommittedPartitionOffset,
  type ConfigDescription,
  type ConfigQuery,
  type ConfigResourceType,
  type ConfigSourceName,
  type KafkaAdmin,
  type NewTopic,
  type PartitionGrowth,
  type PartitionOffsets,
  type TimestampOffset,
  type TopicConfigs,
  type TopicDescription,
  type TopicOperationOptions,
} from './admin.js';
import { guardAdmin, type DriverAdmin } from './admin-guard.js';
import { kafkajsClientOf, type KafkaClient } from './client.js';

/** An admin on kafkajs; connect it before use and disconnect it afterwards. */
export function createKafkajsAdmin(client: KafkaClient): KafkaAdmin {
  return guardAdmin(client, new KafkajsAdmin(kafkajsClientOf(client).admin()));
}

const resourceTypes: Record<ConfigResourceType, kafkajs.ConfigResourceTypes> = {
  topic: kafkajs.ConfigResourceTypes.TOPIC,
  broker: kafkajs.ConfigResourceTypes.BROKER,
};

const configSourceNames: Record<kafkajs.ConfigSource, ConfigSourceName> = {
  [kafkajs.ConfigSource.UNKNOWN]: 'unknown',
  [kafkajs.ConfigSource.TOPIC_CONFIG]: 'topic',
  [kafkajs.ConfigSource.DYNAMIC_BROKER_CONFIG]: 'dynamic-broker',
  [kafkajs.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]: 'dynamic-default-broker',
  [kafkajs.ConfigSource.STATIC_BROKER_CONFIG]: 'static-broker',
  [kafkajs.ConfigSource.DEFAULT_CONFIG]: 'default',
  [kafkajs.ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG]: 'dynamic-broker-logger',
};

/** The source a kafkajs config entry names; a number it does not know is `unknown`. */
export function configSourceName(source: kafkajs.ConfigSource | undefined): ConfigSourceName {
  return (source === undefined ? undefined : configSourceNames[source]) ?? 'unknown';
}

function configEntries(configs: Readonly<Record<string, string>> | undefined) {
  return Object.entries(configs ?? {}).map(([name, value]) => ({ name, value }));
}

/**
 * The admin operations on a kafkajs admin, failing with kafkajs's errors (guardAdmin turns them
 * into Ricochet's). The librdkafka driver uses it too, for the configs librdkafka cannot reach.
 */
export class KafkajsAdmin implements DriverAdmin {
  readonly #admin: kafkajs.Admin;

  constructor(admin: kafkajs.Admin) {
    this.#admin = admin;
  }

  connect(): Promise<void> {
    return this.#admin.connect();
  }

  disconnect(): Promise<void> {
    return this.#admin.disconnect();
  }

  async describeCluster(): Promise<ClusterDescription> {
    const { brokers } = await this.#admin.describeCluster();
    return { brokers: brokers.map(({ nodeId }) => ({ nodeId })) };
  }

  listTopics(): Promise<string[]> {
    return this.#admin.listTopics();
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    const metadata = await this.#admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.topics.map(({ name, partitions }) => ({
      name,
      partitions: partitions.map(({ partitionId, replicas, leader, isr }) => ({
        partition: partitionId,
        replicas,
        // Kafka's metadata says -1 for a partition without a leader.
        leader: leader < 0 ? undefined : leader,
        inSyncReplicas: isr,
      })),
    }));
  }

  async describeConfigs(resources: readonly ConfigQuery[]): Promise<ConfigDescription[]> {
    const described = await this.#admin.describeConfigs({
      includeSynonyms: false,
      resources: resources.map(({ type, name, configNames }) => ({
        type: resourceTypes[type],
        name,
        ...(configNames === undefined ? {} : { configNames: [...configNames] }),
      })),
    });
    return described.resources.map((resource) => ({
      type: resource.resourceType === kafkajs.ConfigResourceTypes.BROKER ? 'broker' : 'topic',
      name: resource.resourceName,
      entries: resource.configEntries.map((entry) => ({
        name: entry.configName,
        value: entry.configValue ?? null,
        source: configSourceName(entry.configSource),
      })),
    }));
  }

  createTopics(topics: readonly NewTopic[], options: TopicOperationOptions): Promise<boolean> {
    return this.#admin.createTopics({
      // Waited for by guardAdmin: kafkajs's wait fails on a KRaft broker still publishing the
      // topic.
      waitForLeaders: false,
      ...(options.timeoutMilliseconds === undefined
        ? {}
        : { timeout: options.timeoutMilliseconds }),
      topics: topics.map(({ topic, partitions, replicationFactor, configs }) => ({
        topic,
        ...(partitions === undefined ? {} : { numPartitions: partitions }),
        ...(replicationFactor === undefined ? {} : { replicationFactor }),
        ...(configs === undefined ? {} : { configEntries: configEntries(configs) }),
      })),
    });
  }

  async createPartitions(
    growths: readonly PartitionGrowth[],
    options: TopicOperationOptions,
  ): Promise<void> {
    await this.#admin.createPartitions({
      ...(options.timeoutMilliseconds === undefined
        ? {}
        : { timeout: options.timeoutMilliseconds }),
      topicPartitions: growths.map(({ topic, count }) => ({ topic, count })),
    });
  }

  async replaceTopicConfigs(topics: readonly TopicConfigs[]): Promise<void> {
    await this.#admin.alterConfigs({
      validateOnly: false,
      resources: topics.map(({ topic, configs }) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: configEntries(configs),
      })),
    });
  }

  deleteTopics(topics: readonly string[], options: TopicOperationOptions): Promise<void> {
    return this.#admin.deleteTopics({
      topics: [...topics],
      ...(options.timeoutMilliseconds === undefined
        ? {}
        : { timeout: options.timeoutMilliseconds }),
    });
  }

  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<TimestampOffset[]> {
    const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return offsets.map(({ partition, offset }) => ({ partition, offset }));
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedPartitionOffset[]> {
    const [committed] = await this.#admin.fetchOffsets({ groupId, topics: [topic] });
    return (committed?.partitions ?? []).map(({ partition, offset, metadata }) => ({
      partition,
      // kafkajs reports "nothing committed" as offset -1.
      offset: offset === '-1' ? undefined : offset,
      metadata: committedMetadata(metadata),
    }));
  }
}
