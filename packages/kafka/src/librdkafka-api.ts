import { createRequire } from 'node:module';
import { KafkaDriverUnavailableError } from './errors.js';

/**
 * The parts of `@confluentinc/kafka-javascript` the librdkafka driver uses, declared here rather
 * than imported: the package is an optional dependency (a native addon built on install), so
 * Ricochet compiles and runs on kafkajs where it could not be built.
 */
export type LibrdkafkaSettings = Record<
  string,
  string | number | boolean | ((...args: never[]) => void)
>;

/** An error as the addon reports it: librdkafka's code (negative: the client's own). */
export interface NativeError {
  readonly message: string;
  readonly code: number;
  readonly isFatal?: boolean;
}

export interface NativeTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface NativeTopicPartitionOffset extends NativeTopicPartition {
  readonly offset: number;
  readonly metadata?: string | null;
  readonly error?: NativeError;
}

/** A partition's first offset and its next one (its high watermark). */
export interface NativeWatermarks {
  readonly lowOffset: number;
  readonly highOffset: number;
}

export interface NativeMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Buffer | null;
  readonly key?: Buffer | string | null;
  readonly timestamp: number;
  readonly headers?: readonly Readonly<Record<string, Buffer | string>>[];
}

export type Callback<T = void> = (error: NativeError | null | undefined, result: T) => void;

export interface NativeConsumer {
  connect(options: { timeout?: number }, callback: Callback<unknown>): void;
  disconnect(callback: Callback<unknown>): void;
  isConnected(): boolean;
  subscribe(topics: string[]): void;
  assign(assignment: NativeTopicPartitionOffset[] | NativeTopicPartition[]): void;
  unassign(): void;
  /** Adds partitions to the assignment, each fetched from its offset; no group join needed. */
  incrementalAssign(assignment: NativeTopicPartitionOffset[]): void;
  /** Removes partitions from the assignment; their fetched records are dropped. */
  incrementalUnassign(assignment: NativeTopicPartition[]): void;
  setDefaultConsumeTimeout(milliseconds: number): void;
  /** Once a first record is there, a poll returns what is queued instead of waiting for more. */
  setDefaultIsTimeoutOnlyForFirstMessage(onlyForFirst: boolean): void;
  consume(count: number, callback: Callback<NativeMessage[]>): void;
  pause(partitions: NativeTopicPartition[]): void;
  resume(partitions: NativeTopicPartition[]): void;
  seek(
    position: NativeTopicPartitionOffset,
    timeoutMilliseconds: number,
    callback: (error?: NativeError) => void,
  ): void;
  /** Commits and waits for the coordinator's answer, on the calling thread; throws on failure. */
  commitSync(offsets: NativeTopicPartitionOffset[]): void;
  getWatermarkOffsets(
    topic: string,
    partition: number,
  ): { readonly lowOffset: number; readonly highOffset: number };
  /** Asks the partition's leader for its watermarks, through that broker's thread. */
  queryWatermarkOffsets(
    topic: string,
    partition: number,
    timeoutMilliseconds: number,
    callback: Callback<NativeWatermarks>,
  ): void;
  /** Each partition's first offset with a timestamp >= its `offset`; -1 where there is none. */
  offsetsForTimes(
    partitions: NativeTopicPartitionOffset[],
    timeoutMilliseconds: number,
    callback: Callback<NativeTopicPartitionOffset[]>,
  ): void;
  on(event: 'event.error', listener: (error: NativeError) => void): void;
}

/** One header of a record to produce, as the addon takes them: repeated names are repeated entries. */
export type NativeHeader = Readonly<Record<string, Buffer | string>>;

export interface DeliveryReport {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly opaque: unknown;
}

export interface NativeProducer {
  connect(options: { timeout?: number }, callback: Callback<unknown>): void;
  disconnect(callback: Callback<unknown>): void;
  isConnected(): boolean;
  /** Delivery reports served by a thread of the addon's, with no timer in JavaScript. */
  setPollInBackground(inBackground: boolean): void;
  /** Queues one record; throws when librdkafka refuses it at once (its queue full, too large). */
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number | null,
    opaque: unknown,
    headers: NativeHeader[],
  ): void;
  on(
    event: 'delivery-report',
    listener: (error: NativeError | null, report: DeliveryReport) => void,
  ): void;
  on(event: 'event.error', listener: (error: NativeError) => void): void;
}

/** A broker, as the admin names the leader and the replicas of a partition. */
export interface NativeNode {
  readonly id: number;
}

export interface NativeTopicDescription {
  readonly name: string;
  /** Set instead of the partitions when the broker refused to describe the topic. */
  readonly error?: NativeError;
  readonly partitions: readonly {
    readonly partition: number;
    readonly leader: NativeNode | null;
    readonly replicas: readonly NativeNode[];
    readonly isr: readonly NativeNode[];
  }[];
}

export interface NativeNewTopic {
  readonly topic: string;
  /** -1 for the broker's default. */
  readonly num_partitions: number;
  /** -1 for the broker's default. */
  readonly replication_factor: number;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Which offset of a partition to list: a record timestamp (epoch ms), or one of librdkafka's
 * specs, -2 for the first offset and -1 for the next one.
 */
export interface NativeOffsetSpec {
  readonly timestamp: number;
}

/**
 * librdkafka's admin client. Every operation takes the time it may wait for its answer; creating
 * one does not reach a broker (the first request does).
 */
export interface NativeAdmin {
  getMetadata(
    options: { readonly allTopics: boolean; readonly timeout: number },
    callback: Callback<{ readonly brokers: readonly NativeNode[] }>,
  ): void;
  listTopics(options: { readonly timeout: number }, callback: Callback<string[]>): void;
  describeTopics(
    topics: string[],
    options: { readonly timeout: number },
    callback: Callback<NativeTopicDescription[]>,
  ): void;
  createTopic(topic: NativeNewTopic, timeout: number, callback: Callback<unknown>): void;
  createPartitions(
    topic: string,
    count: number,
    timeout: number,
    callback: Callback<unknown>,
  ): void;
  deleteTopic(topic: string, timeout: number, callback: Callback<unknown>): void;
  listOffsets(
    partitions: (NativeTopicPartition & { readonly offset: NativeOffsetSpec })[],
    options: { readonly timeout: number },
    callback: Callback<NativeTopicPartitionOffset[]>,
  ): void;
  /** Synchronous: librdkafka's handle is destroyed before it returns. */
  disconnect(): void;
}

export interface LibrdkafkaModule {
  readonly KafkaConsumer: new (
    settings: LibrdkafkaSettings,
    topicSettings: LibrdkafkaSettings,
  ) => NativeConsumer;
  readonly Producer: new (settings: LibrdkafkaSettings) => NativeProducer;
  readonly AdminClient: {
    create(
      settings: LibrdkafkaSettings,
      listeners: { readonly 'event.error': (error: NativeError) => void },
    ): NativeAdmin;
  };
  readonly CODES: { readonly ERRORS: Readonly<Record<string, number>> };
  readonly librdkafkaVersion: string;
}

/** The addon, loaded by the first client that asks for the librdkafka driver (require caches it). */
export function loadLibrdkafka(): LibrdkafkaModule {
  try {
    return createRequire(import.meta.url)('@confluentinc/kafka-javascript') as LibrdkafkaModule;
  } catch (error) {
    throw new KafkaDriverUnavailableError(error);
  }
}
