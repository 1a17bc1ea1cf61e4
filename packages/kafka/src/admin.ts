import { RicochetError } from '@ricochet/core';

/**
 * The cluster administration Ricochet does, and nothing more: topology reads and changes topics,
 * the delay tier asks how many partitions a topic has, a new partition owner reads what the
 * previous one committed, and the tools count and clean up records. An adapter in this package
 * implements it over the Kafka client (createAdmin); every operation fails with an
 * AdminOperationError.
 */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  listTopics(): Promise<string[]>;
  /** Rejects with reason UNKNOWN_TOPIC_OR_PARTITION when a topic does not exist. */
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  /** The configs in effect; synonyms (where else a value is set) are not read. */
  describeConfigs(resources: readonly ConfigQuery[]): Promise<ConfigDescription[]>;
  /** Resolves false when every topic already existed, and true when it created them. */
  createTopics(topics: readonly NewTopic[], options: CreateTopicsOptions): Promise<boolean>;
  createPartitions(
    growths: readonly PartitionGrowth[],
    options: TopicOperationOptions,
  ): Promise<void>;
  /** Replaces every topic-level config of each topic: a change carries the complete set. */
  replaceTopicConfigs(topics: readonly TopicConfigs[]): Promise<void>;
  deleteTopics(topics: readonly string[], options: TopicOperationOptions): Promise<void>;
  /** Each partition's first and next offsets (low and high watermarks). */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Each partition's first offset whose record timestamp is at or after `timestamp` (epoch ms),
   * or its next offset (high watermark) when there is none.
   */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<TimestampOffset[]>;
  fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedPartitionOffset[]>;
}

export interface ClusterDescription {
  readonly brokers: readonly { readonly nodeId: number }[];
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: readonly PartitionDescription[];
}

export interface PartitionDescription {
  readonly partition: number;
  /** Broker ids holding a copy of the partition. */
  readonly replicas: readonly number[];
  /** The broker that leads it; undefined while it has none (every replica down). */
  readonly leader: number | undefined;
  /** The replicas caught up with the leader: those an acks=all write waits for. */
  readonly inSyncReplicas: readonly number[];
}

export type ConfigResourceType = 'topic' | 'broker';

export interface ConfigQuery {
  readonly type: ConfigResourceType;
  /** A topic name, or a broker id as a string. */
  readonly name: string;
  /** Only these configs; all of them when absent. */
  readonly configNames?: readonly string[];
}

export interface ConfigDescription {
  readonly type: ConfigResourceType;
  readonly name: string;
  readonly entries: readonly ConfigEntry[];
}

export interface ConfigEntry {
  readonly name: string;
  /** Null for a sensitive value the broker does not reveal, or one that is not set. */
  readonly value: string | null;
  readonly source: ConfigSourceName;
}

/**
 * Where a config's value comes from. `topic` marks an override set on the topic itself; the
 * others are broker settings and defaults that a topic inherits.
 */
export type ConfigSourceName =
  | 'topic'
  | 'dynamic-broker'
  | 'dynamic-default-broker'
  | 'static-broker'
  | 'dynamic-broker-logger'
  | 'default'
  | 'unknown';

export interface NewTopic {
  readonly topic: string;
  /** The broker's default when absent. */
  readonly partitions?: number;
  /** The broker's default when absent. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicOperationOptions {
  /** How long the broker may take before it answers with a timeout. */
  readonly timeoutMilliseconds?: number;
}

export interface CreateTopicsOptions extends TopicOperationOptions {
  /** Resolve only once every new partition has a leader, so that the topics can be used at once. */
  readonly waitForLeaders: boolean;
}

export interface PartitionGrowth {
  readonly topic: string;
  /** The partition count wanted, not the number added. */
  readonly count: number;
}

export interface TopicConfigs {
  readonly topic: string;
  readonly configs: Readonly<Record<string, string>>;
}

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

export interface TimestampOffset {
  readonly partition: number;
  readonly offset: string;
}

/** A partition's committed offset and the metadata committed with it. */
export interface CommittedOffset {
  /** The next record to read; undefined when the group has committed nothing for the partition. */
  readonly offset: string | undefined;
  readonly metadata: string | null;
}

export interface CommittedPartitionOffset extends CommittedOffset {
  readonly partition: number;
}

/** An admin operation failed; `retriable` says whether the same request may succeed later. */
export class AdminOperationError extends RicochetError {
  static readonly code = 'ADMIN_OPERATION_FAILED';
  /** The operation, as KafkaAdmin names it (e.g. `createTopics`). */
  readonly operation: string;
  /** The broker's name for the refusal (e.g. UNKNOWN_TOPIC_OR_PARTITION), when it gave one. */
  readonly reason: string | undefined;

  constructor(
    operation: string,
    options: { message: string; reason?: string; retriable: boolean; cause: unknown },
  ) {
    super(`${operation} failed: ${options.message}`, {
      code: AdminOperationError.code,
      retriable: options.retriable,
      cause: options.cause,
    });
    this.operation = operation;
    this.reason = options.reason;
  }
}

/** What the broker refused for one topic of a request that names several. */
export interface TopicFailure {
  /** Undefined when the broker's answer did not say which topic. */
  readonly topic: string | undefined;
  /** The broker's name for the refusal (e.g. INVALID_REPLICATION_FACTOR), or its message. */
  readonly reason: string;
  readonly retriable: boolean;
}

/**
 * The broker refused some topics of a request (creating topics, adding partitions): one failure
 * per topic. Retriable only when every failure is.
 */
export class TopicFailuresError extends AdminOperationError {
  readonly failures: readonly TopicFailure[];

  constructor(operation: string, failures: readonly TopicFailure[], cause: unknown) {
    super(operation, {
      message: failures
        .map(({ topic, reason }) => (topic === undefined ? reason : `${topic}: ${reason}`))
        .join('; '),
      retriable: failures.length > 0 && failures.every((failure) => failure.retriable),
      cause,
    });
    this.failures = failures;
  }
}

/**
 * Commit metadata as it was meant, from what the broker holds. The librdkafka driver's addon
 * (1.10.1) writes metadata with the C string's NUL byte after it; its consumer reads metadata back
 * without its last byte whatever that is, and its admin up to the first NUL, past the metadata's
 * end when there is none. Ricochet's metadata never holds a NUL, so one at the end is dropped, and
 * committed metadata is read through kafkajs's admin on either driver.
 */
export function committedMetadata(stored: string | null | undefined): string | null {
  if (stored === null || stored === undefined) {
    return null;
  }
  return stored.endsWith('\u0000') ? stored.slice(0, -1) : stored;
}
