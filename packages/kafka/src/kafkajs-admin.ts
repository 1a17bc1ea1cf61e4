import kafkajs from 'kafkajs';
import {
  AdminOperationError,
  committedMetadata,
  TopicFailuresError,
  type ClusterDescription,
  type CommittedPartitionOffset,
  type ConfigDescription,
  type ConfigQuery,
  type ConfigResourceType,
  type ConfigSourceName,
  type CreateTopicsOptions,
  type KafkaAdmin,
  type NewTopic,
  type PartitionGrowth,
  type PartitionOffsets,
  type TimestampOffset,
  type TopicConfigs,
  type TopicDescription,
  type TopicFailure,
  type TopicOperationOptions,
} from './admin.js';
import { connectChecked, kafkajsClientOf, type KafkaClient } from './client.js';
import {
  defaultLeaderWaitMilliseconds,
  LeaderWaitTimeoutError,
  waitForLeaders,
} from './leader-wait.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';

/** An admin over the client; connect it before use and disconnect it afterwards. */
export function createAdmin(client: KafkaClient): KafkaAdmin {
  return new KafkajsAdmin(client, kafkajsClientOf(client).admin());
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
 * The failure of a kafkajs admin call as Ricochet's error. kafkajs reports per-topic refusals
 * (e.g. INVALID_REPLICATION_FACTOR) only inside an aggregate whose own message is a bare "Topic
 * creation errors", so they become a TopicFailuresError naming each topic. Otherwise the broker's
 * name for the refusal is kept as `reason`, and `retriable` is the client's own verdict (true for a
 * wait for leaders that ran out of time; false for anything else that is not a client error, such
 * as a bug).
 */
export function adminErrorFrom(operation: string, error: unknown): AdminOperationError {
  const aggregate = findAggregate(error);
  if (aggregate !== undefined) {
    return new TopicFailuresError(operation, aggregate.errors.map(topicFailureOf), error);
  }
  return new AdminOperationError(operation, {
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof kafkajs.KafkaJSProtocolError ? { reason: error.type } : {}),
    retriable:
      error instanceof kafkajs.KafkaJSError
        ? error.retriable
        : error instanceof LeaderWaitTimeoutError,
    cause: error,
  });
}

function configResourceNamed({ type, name }: ConfigQuery): string {
  return type === 'broker' ? 'the cluster' : topicsNamed([name]);
}

/** kafkajs gives the aggregate up as is, or wrapped once by its retrier. */
function findAggregate(error: unknown): kafkajs.KafkaJSAggregateError | undefined {
  if (error instanceof kafkajs.KafkaJSAggregateError) {
    return error;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof kafkajs.KafkaJSAggregateError ? cause : undefined;
}

function topicFailureOf(failure: Error | string): TopicFailure {
  if (typeof failure === 'string') {
    return { topic: undefined, reason: failure, retriable: false };
  }
  const topic = (failure as { topic?: unknown }).topic;
  return {
    topic: typeof topic === 'string' ? topic : undefined,
    reason: failure instanceof kafkajs.KafkaJSProtocolError ? failure.type : failure.message,
    retriable: failure instanceof kafkajs.KafkaJSError ? failure.retriable : false,
  };
}

class KafkajsAdmin implements KafkaAdmin {
  readonly #admin: kafkajs.Admin;

  readonly #client: KafkaClient;

  constructor(client: KafkaClient, admin: kafkajs.Admin) {
    this.#client = client;
    this.#admin = admin;
  }

  /** `permission`: what the operation needs on a cluster with ACLs, named when it is refused. */
  async #attempt<T>(operation: string, run: () => Promise<T>, permission?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw adminErrorFrom(
        operation,
        permission === undefined ? error : authorizationErrorFrom(error, permission),
      );
    }
  }

  connect(): Promise<void> {
    return this.#attempt('connect', () =>
      connectChecked(this.#client, () => this.#admin.connect()),
    );
  }

  disconnect(): Promise<void> {
    return this.#attempt('disconnect', () => this.#admin.disconnect());
  }

  describeCluster(): Promise<ClusterDescription> {
    return this.#attempt('describeCluster', async () => {
      const { brokers } = await this.#admin.describeCluster();
      return { brokers: brokers.map(({ nodeId }) => ({ nodeId })) };
    });
  }

  listTopics(): Promise<string[]> {
    return this.#attempt('listTopics', () => this.#admin.listTopics(), 'Describe on the topics');
  }

  describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return this.#attempt(
      'describeTopics',
      async () => {
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
      },
      `Describe on ${topicsNamed(topics)}`,
    );
  }

  describeConfigs(resources: readonly ConfigQuery[]): Promise<ConfigDescription[]> {
    return this.#attempt(
      'describeConfigs',
      async () => {
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
      },
      `DescribeConfigs on ${resources.map(configResourceNamed).join(' and ')}`,
    );
  }

  createTopics(topics: readonly NewTopic[], options: CreateTopicsOptions): Promise<boolean> {
    const names = topics.map(({ topic }) => topic);
    return this.#attempt(
      'createTopics',
      async () => {
        const created = await this.#admin.createTopics({
          // Waited for below: kafkajs's wait fails on a KRaft broker still publishing the topic.
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
        if (options.waitForLeaders) {
          await waitForLeaders(
            names,
            async () => (await this.#admin.fetchTopicMetadata({ topics: names })).topics,
            options.timeoutMilliseconds ?? defaultLeaderWaitMilliseconds,
          );
        }
        return created;
      },
      `Create on ${topicsNamed(names)}`,
    );
  }

  createPartitions(
    growths: readonly PartitionGrowth[],
    options: TopicOperationOptions,
  ): Promise<void> {
    return this.#attempt(
      'createPartitions',
      async () => {
        await this.#admin.createPartitions({
          ...(options.timeoutMilliseconds === undefined
            ? {}
            : { timeout: options.timeoutMilliseconds }),
          topicPartitions: growths.map(({ topic, count }) => ({ topic, count })),
        });
      },
      `Alter on ${topicsNamed(growths.map(({ topic }) => topic))}`,
    );
  }

  replaceTopicConfigs(topics: readonly TopicConfigs[]): Promise<void> {
    return this.#attempt(
      'replaceTopicConfigs',
      async () => {
        await this.#admin.alterConfigs({
          validateOnly: false,
          resources: topics.map(({ topic, configs }) => ({
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: configEntries(configs),
          })),
        });
      },
      `AlterConfigs on ${topicsNamed(topics.map(({ topic }) => topic))}`,
    );
  }

  deleteTopics(topics: readonly string[], options: TopicOperationOptions): Promise<void> {
    return this.#attempt(
      'deleteTopics',
      () =>
        this.#admin.deleteTopics({
          topics: [...topics],
          ...(options.timeoutMilliseconds === undefined
            ? {}
            : { timeout: options.timeoutMilliseconds }),
        }),
      `Delete on ${topicsNamed(topics)}`,
    );
  }

  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.#attempt(
      'fetchTopicOffsets',
      async () => {
        const offsets = await this.#admin.fetchTopicOffsets(topic);
        return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
      },
      `Describe on ${topicsNamed([topic])}`,
    );
  }

  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<TimestampOffset[]> {
    return this.#attempt(
      'fetchTopicOffsetsByTimestamp',
      async () => {
        const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
        return offsets.map(({ partition, offset }) => ({ partition, offset }));
      },
      `Describe on ${topicsNamed([topic])}`,
    );
  }

  fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedPartitionOffset[]> {
    return this.#attempt(
      'fetchCommittedOffsets',
      async () => {
        const [committed] = await this.#admin.fetchOffsets({ groupId, topics: [topic] });
        return (committed?.partitions ?? []).map(({ partition, offset, metadata }) => ({
          partition,
          // kafkajs reports "nothing committed" as offset -1.
          offset: offset === '-1' ? undefined : offset,
          metadata: committedMetadata(metadata),
        }));
      },
      `Describe on group ${groupId} and on ${topicsNamed([topic])}`,
    );
  }
}
