import type { Logger } from '@ricochet/core';
import {
  TopicFailuresError,
  type ClusterDescription,
  type CommittedPartitionOffset,
  type ConfigDescription,
  type ConfigQuery,
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
import { guardAdmin, type DriverAdmin } from './admin-guard.js';
import {
  connectChecked,
  defaultRequestTimeoutMilliseconds,
  kafkajsClientOf,
  librdkafkaOf,
  type KafkaClient,
} from './client.js';
import { KafkajsAdmin } from './kafkajs-admin.js';
import type {
  Callback,
  LibrdkafkaModule,
  NativeAdmin,
  NativeTopicDescription,
  NativeTopicPartitionOffset,
} from './librdkafka-api.js';
import { LibrdkafkaError, librdkafkaErrorFrom } from './librdkafka-errors.js';
import { librdkafkaConnectionSettings } from './librdkafka-settings.js';

/** librdkafka's offset specs: a partition's first offset, and its next one (high watermark). */
const earliestOffset = -2;
const latestOffset = -1;

/** An admin on librdkafka's native admin client; connect it before use, disconnect it after. */
export function createLibrdkafkaAdmin(client: KafkaClient): KafkaAdmin {
  return guardAdmin(client, new LibrdkafkaAdmin(client));
}

/** Throws the first failure among operations run side by side, once all of them have settled. */
function throwFirstFailure(outcomes: readonly PromiseSettledResult<unknown>[]): void {
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) {
    throw failed.reason;
  }
}

/**
 * The admin operations on librdkafka, failing with LibrdkafkaErrors (guardAdmin turns them into
 * Ricochet's). Its Node API (1.10.1) has no DescribeConfigs or AlterConfigs, and misreads
 * committed metadata, so describeConfigs, replaceTopicConfigs and fetchCommittedOffsets go
 * through the kafkajs admin of the same client, which connects on its first use; everything else
 * goes through librdkafka. Where librdkafka answers differently from kafkajs, this keeps
 * kafkajs's answers: a refusal of a partition's offsets fails the call (it is not an offset of
 * -1).
 */
class LibrdkafkaAdmin implements DriverAdmin {
  readonly #client: KafkaClient;
  readonly #librdkafka: LibrdkafkaModule;
  readonly #logger: Logger;
  readonly #requestTimeoutMilliseconds: number;
  readonly #kafkajs: KafkajsAdmin;
  #kafkajsConnected: Promise<void> | undefined;
  #native: NativeAdmin | undefined;

  constructor(client: KafkaClient) {
    const { librdkafka, options } = librdkafkaOf(client);
    this.#client = client;
    this.#librdkafka = librdkafka;
    this.#logger = options.logger;
    this.#requestTimeoutMilliseconds =
      options.requestTimeoutMilliseconds ?? defaultRequestTimeoutMilliseconds;
    this.#kafkajs = new KafkajsAdmin(kafkajsClientOf(client).admin());
  }

  /** One call of the native admin, its failure as a LibrdkafkaError. */
  #call<T>(request: (admin: NativeAdmin, callback: Callback<T>) => void): Promise<T> {
    const admin = this.#native;
    if (admin === undefined) {
      return Promise.reject(new Error('the admin is not connected: connect() it first'));
    }
    return new Promise<T>((resolve, reject) => {
      request(admin, (error, result) => {
        if (error) {
          reject(librdkafkaErrorFrom(this.#librdkafka, error));
        } else {
          resolve(result);
        }
      });
    });
  }

  /**
   * The kafkajs admin for what librdkafka's lacks or misreads, connected by the first call that needs it, and again by
   * the next call after a failure.
   */
  async #kafkajsAdmin(): Promise<KafkajsAdmin> {
    this.#kafkajsConnected ??= connectChecked(this.#client, () => this.#kafkajs.connect()).catch(
      (error: unknown) => {
        this.#kafkajsConnected = undefined;
        throw error;
      },
    );
    await this.#kafkajsConnected;
    return this.#kafkajs;
  }

  #brokers(): Promise<{ readonly brokers: readonly { readonly id: number }[] }> {
    return this.#call((admin, callback) =>
      admin.getMetadata({ allTopics: false, timeout: this.#requestTimeoutMilliseconds }, callback),
    );
  }

  async connect(): Promise<void> {
    this.#native = this.#librdkafka.AdminClient.create(
      librdkafkaConnectionSettings(librdkafkaOf(this.#client).options),
      {
        // An operation that fails reports its own failure; these are librdkafka's lines about
        // the connections behind it, repeated while no broker answers.
        'event.error': (error) => {
          this.#logger.debug('librdkafka admin error', {
            error: librdkafkaErrorFrom(this.#librdkafka, error),
          });
        },
      },
    );
    // Creating librdkafka's admin reaches no broker: one answered request shows that a broker
    // is there, as kafkajs's connect does.
    try {
      await this.#brokers();
    } catch (error) {
      this.#native.disconnect();
      this.#native = undefined;
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const admin = this.#native;
    this.#native = undefined;
    admin?.disconnect();
    if (this.#kafkajsConnected !== undefined) {
      // A kafkajs admin that failed to connect has nothing to disconnect.
      await this.#kafkajsConnected.then(
        () => this.#kafkajs.disconnect(),
        () => undefined,
      );
      this.#kafkajsConnected = undefined;
    }
  }

  async describeCluster(): Promise<ClusterDescription> {
    const { brokers } = await this.#brokers();
    return { brokers: brokers.map(({ id }) => ({ nodeId: id })) };
  }

  listTopics(): Promise<string[]> {
    return this.#call((admin, callback) =>
      admin.listTopics({ timeout: this.#requestTimeoutMilliseconds }, callback),
    );
  }

  /** Rejects with the first topic's refusal, as kafkajs's metadata request does. */
  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    const descriptions = await this.#call<NativeTopicDescription[]>((admin, callback) =>
      admin.describeTopics([...topics], { timeout: this.#requestTimeoutMilliseconds }, callback),
    );
    const refused = descriptions.find(({ error }) => error !== undefined);
    if (refused?.error !== undefined) {
      throw librdkafkaErrorFrom(this.#librdkafka, refused.error);
    }
    return descriptions.map(({ name, partitions }) => ({
      name,
      partitions: partitions.map(({ partition, leader, replicas, isr }) => ({
        partition,
        replicas: replicas.map(({ id }) => id),
        leader: leader?.id,
        inSyncReplicas: isr.map(({ id }) => id),
      })),
    }));
  }

  async describeConfigs(resources: readonly ConfigQuery[]): Promise<ConfigDescription[]> {
    return (await this.#kafkajsAdmin()).describeConfigs(resources);
  }

  /** Each topic is its own request to librdkafka; their refusals make one TopicFailuresError. */
  async createTopics(
    topics: readonly NewTopic[],
    options: TopicOperationOptions,
  ): Promise<boolean> {
    const timeout = options.timeoutMilliseconds ?? this.#requestTimeoutMilliseconds;
    const outcomes = await Promise.allSettled(
      topics.map(({ topic, partitions, replicationFactor, configs }) =>
        this.#call((admin, callback) =>
          admin.createTopic(
            {
              topic,
              num_partitions: partitions ?? -1,
              replication_factor: replicationFactor ?? -1,
              config: configs ?? {},
            },
            timeout,
            callback,
          ),
        ),
      ),
    );
    let created = true;
    const failures: TopicFailure[] = [];
    const refusals: unknown[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') {
        return;
      }
      const error: unknown = outcome.reason;
      if (error instanceof LibrdkafkaError && error.type === 'TOPIC_ALREADY_EXISTS') {
        created = false;
        return;
      }
      refusals.push(error);
      failures.push({
        topic: topics[index]?.topic,
        reason: error instanceof LibrdkafkaError ? error.type : String(error),
        retriable: error instanceof LibrdkafkaError && error.retriable,
      });
    });
    if (failures.length > 0) {
      throw new TopicFailuresError(
        'createTopics',
        failures,
        new AggregateError(refusals, 'topic creation refused'),
      );
    }
    return created;
  }

  async createPartitions(
    growths: readonly PartitionGrowth[],
    options: TopicOperationOptions,
  ): Promise<void> {
    const timeout = options.timeoutMilliseconds ?? this.#requestTimeoutMilliseconds;
    throwFirstFailure(
      await Promise.allSettled(
        growths.map(({ topic, count }) =>
          this.#call((admin, callback) => admin.createPartitions(topic, count, timeout, callback)),
        ),
      ),
    );
  }

  async replaceTopicConfigs(topics: readonly TopicConfigs[]): Promise<void> {
    await (await this.#kafkajsAdmin()).replaceTopicConfigs(topics);
  }

  async deleteTopics(topics: readonly string[], options: TopicOperationOptions): Promise<void> {
    const timeout = options.timeoutMilliseconds ?? this.#requestTimeoutMilliseconds;
    throwFirstFailure(
      await Promise.allSettled(
        topics.map((topic) =>
          this.#call((admin, callback) => admin.deleteTopic(topic, timeout, callback)),
        ),
      ),
    );
  }

  async #partitionsOf(topic: string): Promise<number[]> {
    const [description] = await this.describeTopics([topic]);
    return (description?.partitions ?? [])
      .map(({ partition }) => partition)
      .sort((first, second) => first - second);
  }

  /**
   * Each partition's answer for one offset spec (NativeOffsetSpec). librdkafka answers a partition
   * whose leader refused with offset -1 and the refusal; that fails the call, as with kafkajs.
   */
  async #listOffsets(topic: string, timestamp: number): Promise<Map<number, number>> {
    const partitions = await this.#partitionsOf(topic);
    const listed = await this.#call<NativeTopicPartitionOffset[]>((admin, callback) =>
      admin.listOffsets(
        partitions.map((partition) => ({ topic, partition, offset: { timestamp } })),
        { timeout: this.#requestTimeoutMilliseconds },
        callback,
      ),
    );
    const refused = listed.find(({ error }) => error !== undefined);
    if (refused?.error !== undefined) {
      throw librdkafkaErrorFrom(this.#librdkafka, refused.error);
    }
    return new Map(listed.map(({ partition, offset }) => [partition, offset]));
  }

  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const [low, high] = await Promise.all([
      this.#listOffsets(topic, earliestOffset),
      this.#listOffsets(topic, latestOffset),
    ]);
    return [...high].map(([partition, next]) => ({
      partition,
      low: String(low.get(partition)),
      high: String(next),
    }));
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<TimestampOffset[]> {
    const [found, high] = await Promise.all([
      this.#listOffsets(topic, timestamp),
      this.#listOffsets(topic, latestOffset),
    ]);
    // -1: no record at or after the timestamp.
    return [...high].map(([partition, next]) => {
      const offset = found.get(partition) ?? -1;
      return { partition, offset: String(offset < 0 ? next : offset) };
    });
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedPartitionOffset[]> {
    // Through kafkajs: the addon's listConsumerGroupOffsets reads a partition's metadata as a C
    // string, up to the first NUL whatever its length, so metadata written with none after it (by
    // kafkajs, or by a member of the group on the kafkajs driver) read on into the bytes after
    // it: a key-strict owner's fence unreadable, its state not believed.
    return (await this.#kafkajsAdmin()).fetchCommittedOffsets(groupId, topic);
  }
}
