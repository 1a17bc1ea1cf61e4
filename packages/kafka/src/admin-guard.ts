import kafkajs from 'kafkajs';
import {
  AdminOperationError,
  TopicFailuresError,
  type ClusterDescription,
  type CommittedPartitionOffset,
  type ConfigDescription,
  type ConfigQuery,
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
import { connectChecked, type KafkaClient } from './client.js';
import {
  defaultLeaderWaitMilliseconds,
  LeaderWaitTimeoutError,
  waitForLeaders,
  whenLeadersAnswer,
} from './leader-wait.js';
import { LibrdkafkaError } from './librdkafka-errors.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';

/**
 * A driver's admin operations, failing with the driver's own errors. Its createTopics does not
 * wait for leaders: guardAdmin does, the same way for both drivers.
 */
export interface DriverAdmin extends Omit<KafkaAdmin, 'createTopics'> {
  createTopics(topics: readonly NewTopic[], options: TopicOperationOptions): Promise<boolean>;
}

/**
 * The failure of an admin call, from either driver, as Ricochet's error. kafkajs reports
 * per-topic refusals (e.g. INVALID_REPLICATION_FACTOR) only inside an aggregate whose own message
 * is a bare "Topic creation errors", so they become a TopicFailuresError naming each topic; the
 * librdkafka driver makes its TopicFailuresError itself. Otherwise the broker's name for the
 * refusal is kept as `reason`, and `retriable` is the driver's own verdict (true for a wait for
 * leaders that ran out of time; false for anything else that is not a client error, such as a
 * bug).
 */
export function adminErrorFrom(operation: string, error: unknown): AdminOperationError {
  if (error instanceof AdminOperationError) {
    return error;
  }
  const aggregate = findAggregate(error);
  if (aggregate !== undefined) {
    return new TopicFailuresError(operation, aggregate.errors.map(topicFailureOf), error);
  }
  return new AdminOperationError(operation, {
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof kafkajs.KafkaJSProtocolError || error instanceof LibrdkafkaError
      ? { reason: error.type }
      : {}),
    retriable:
      error instanceof kafkajs.KafkaJSError ||
      error instanceof LibrdkafkaError ||
      error instanceof LeaderWaitTimeoutError
        ? error.retriable
        : false,
    cause: error,
  });
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

function configResourceNamed({ type, name }: ConfigQuery): string {
  return type === 'broker' ? 'the cluster' : topicsNamed([name]);
}

/**
 * KafkaAdmin over a driver's admin: every operation's failure as an AdminOperationError naming
 * the permission it needs, connect's TLS and SASL checks, and the waits that make both drivers
 * answer alike (leaders of new topics, offsets of partitions whose leader has just taken over).
 */
export function guardAdmin(client: KafkaClient, admin: DriverAdmin): KafkaAdmin {
  return new GuardedAdmin(client, admin);
}

class GuardedAdmin implements KafkaAdmin {
  readonly #client: KafkaClient;
  readonly #admin: DriverAdmin;

  constructor(client: KafkaClient, admin: DriverAdmin) {
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
    return this.#attempt('describeCluster', () => this.#admin.describeCluster());
  }

  listTopics(): Promise<string[]> {
    return this.#attempt('listTopics', () => this.#admin.listTopics(), 'Describe on the topics');
  }

  describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return this.#attempt(
      'describeTopics',
      () => this.#admin.describeTopics(topics),
      `Describe on ${topicsNamed(topics)}`,
    );
  }

  describeConfigs(resources: readonly ConfigQuery[]): Promise<ConfigDescription[]> {
    return this.#attempt(
      'describeConfigs',
      () => this.#admin.describeConfigs(resources),
      `DescribeConfigs on ${resources.map(configResourceNamed).join(' and ')}`,
    );
  }

  createTopics(topics: readonly NewTopic[], options: CreateTopicsOptions): Promise<boolean> {
    const names = topics.map(({ topic }) => topic);
    return this.#attempt(
      'createTopics',
      async () => {
        const created = await this.#admin.createTopics(topics, options);
        if (options.waitForLeaders) {
          await waitForLeaders(
            names,
            () => this.#admin.describeTopics(names),
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
      () => this.#admin.createPartitions(growths, options),
      `Alter on ${topicsNamed(growths.map(({ topic }) => topic))}`,
    );
  }

  replaceTopicConfigs(topics: readonly TopicConfigs[]): Promise<void> {
    return this.#attempt(
      'replaceTopicConfigs',
      () => this.#admin.replaceTopicConfigs(topics),
      `AlterConfigs on ${topicsNamed(topics.map(({ topic }) => topic))}`,
    );
  }

  deleteTopics(topics: readonly string[], options: TopicOperationOptions): Promise<void> {
    return this.#attempt(
      'deleteTopics',
      () => this.#admin.deleteTopics(topics, options),
      `Delete on ${topicsNamed(topics)}`,
    );
  }

  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.#attempt(
      'fetchTopicOffsets',
      () => whenLeadersAnswer(() => this.#admin.fetchTopicOffsets(topic)),
      `Describe on ${topicsNamed([topic])}`,
    );
  }

  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<TimestampOffset[]> {
    return this.#attempt(
      'fetchTopicOffsetsByTimestamp',
      () => whenLeadersAnswer(() => this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp)),
      `Describe on ${topicsNamed([topic])}`,
    );
  }

  fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedPartitionOffset[]> {
    return this.#attempt(
      'fetchCommittedOffsets',
      () => this.#admin.fetchCommittedOffsets(groupId, topic),
      `Describe on group ${groupId} and on ${topicsNamed([topic])}`,
    );
  }
}
