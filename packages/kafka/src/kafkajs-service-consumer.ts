import kafkajs from 'kafkajs';
import { connectChecked, kafkajsClientOf, type KafkaClient } from './client.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';
import type { ConsumedBatch } from './consumed-batch.js';
import {
  isOutOfGeneration,
  NoGroupSessionError,
  type ServiceConsumer,
  type ServiceConsumerOptions,
  type Subscription,
} from './service-consumer.js';
import { toConsumedRecord } from './records.js';
import { sharedGroupAssignor } from './driver.js';

/** kafkajs's round robin under its own name, then under the name librdkafka knows it by. */
const partitionAssigners: kafkajs.PartitionAssigner[] = [
  kafkajs.PartitionAssigners.roundRobin,
  (config) => ({ ...kafkajs.PartitionAssigners.roundRobin(config), name: sharedGroupAssignor }),
];

type CommitOffsets = (offsets: kafkajs.Offsets) => Promise<void>;

/**
 * A service's consumer: kafkajs behind Ricochet's own operations. Commits are always manual and
 * nothing is resolved on the service's behalf: a service resolves and commits only what it
 * handed on.
 */
export class KafkajsServiceConsumer implements ServiceConsumer {
  readonly #consumer: kafkajs.Consumer;
  /**
   * The commit of the consumer's current group session, taken from its newest batch: unlike the
   * consumer's own `commitOffsets`, it fails when the commit fails (kafkajs's retries it in the
   * background and silently drops it once the consumer is stopping, so the commit of the last
   * records handed on before a stop would be lost). It does not depend on the batch it came
   * from, only on the session, which lasts until the consumer crashes.
   */
  #commitOffsets: CommitOffsets | undefined;

  readonly #outOfGeneration: (() => void)[] = [];

  readonly #client: KafkaClient;
  readonly #groupId: string;
  #topics: readonly string[] = [];

  constructor(client: KafkaClient, groupId: string, consumer: kafkajs.Consumer) {
    this.#client = client;
    this.#groupId = groupId;
    this.#consumer = consumer;
  }

  /** Called after every group join with the partitions this member now owns, by topic. */
  onGroupJoin(listener: (groupId: string, assignment: Record<string, number[]>) => void): void {
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) =>
      listener(payload.groupId, payload.memberAssignment),
    );
  }

  /**
   * Called when the group starts rebalancing and this member is about to join again: its
   * batches have ended, and the partitions it owned are given out only once it joined. Also
   * called when a commit is refused because the member is no longer in the group's generation
   * (evicted: kafkajs announces no rebalancing then, and the partitions may already be owned by
   * another member).
   */
  onRebalancing(listener: () => void): void {
    this.#consumer.on(this.#consumer.events.REBALANCING, () => listener());
    this.#outOfGeneration.push(listener);
  }

  /** Called when the consumer crashed; `restart` says whether the client restarts it. */
  onCrash(listener: (error: Error, restart: boolean) => void): void {
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      this.#commitOffsets = undefined;
      listener(this.#crashError(payload.error), payload.restart);
    });
  }

  /** A crash for want of an ACL, as a BrokerAuthorizationError naming the group or topics. */
  #crashError(error: Error): Error {
    // kafkajs gives up finding the group's coordinator, with this error and without the broker's
    // answer, only on a refusal it does not retry: on a cluster with ACLs, GROUP_AUTHORIZATION_FAILED.
    const refusal =
      error.name === 'KafkaJSGroupCoordinatorNotFound'
        ? new Error('group authorization failed (the group coordinator was not found)', {
            cause: error,
          })
        : error;
    const translated = authorizationErrorFrom(refusal, {
      group: `Read on group ${this.#groupId}`,
      topic: `Read on ${topicsNamed(this.#topics)}`,
      cluster: `the cluster permission it was refused`,
    });
    return translated === refusal ? error : (translated as Error);
  }

  /**
   * Connects, subscribes and starts fetching. Once `stopped` is aborted it goes no further: kafkajs
   * goes on connecting after a disconnect, and a consumer connected after its service stopped
   * must not join the group.
   */
  async start(subscription: Subscription, stopped?: AbortSignal): Promise<void> {
    this.#topics = [...subscription.topics];
    await connectChecked(this.#client, () => this.#consumer.connect());
    stopped?.throwIfAborted();
    await this.#consumer.subscribe({
      topics: [...subscription.topics],
      fromBeginning: subscription.fromBeginning,
    });
    stopped?.throwIfAborted();
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      ...(subscription.partitionsConsumedConcurrently === undefined
        ? {}
        : { partitionsConsumedConcurrently: subscription.partitionsConsumedConcurrently }),
      eachBatch: (payload) => {
        this.#commitOffsets = payload.commitOffsetsIfNecessary;
        return subscription.eachBatch(toConsumedBatch(payload));
      },
    });
  }

  /** Commits the partition so that its group resumes at `offset`, with `metadata` when given. */
  async commit(topic: string, partition: number, offset: string, metadata?: string): Promise<void> {
    const commitOffsets = this.#commitOffsets;
    if (commitOffsets === undefined) {
      throw new NoGroupSessionError();
    }
    try {
      await commitOffsets({
        topics: [
          {
            topic,
            partitions: [{ partition, offset, ...(metadata === undefined ? {} : { metadata }) }],
          },
        ],
      });
    } catch (error) {
      if (isOutOfGeneration(error)) {
        for (const listener of this.#outOfGeneration) {
          listener();
        }
      }
      throw error;
    }
  }

  /** Leaves the group once the batches in hand are done, and disconnects. */
  async disconnect(): Promise<void> {
    await this.#consumer.disconnect();
  }

  pause(topic: string, partition: number): void {
    this.#consumer.pause([{ topic, partitions: [partition] }]);
  }

  resume(topic: string, partition: number): void {
    this.#consumer.resume([{ topic, partitions: [partition] }]);
  }

  seek(topic: string, partition: number, offset: string): void {
    this.#consumer.seek({ topic, partition, offset });
  }

  pausedPartitions(topic: string): readonly number[] {
    return this.#consumer.paused().find((entry) => entry.topic === topic)?.partitions ?? [];
  }
}

/** Creates a service's consumer on kafkajs; topics are never created by consuming them. */
export function createKafkajsServiceConsumer(
  client: KafkaClient,
  options: ServiceConsumerOptions,
): ServiceConsumer {
  return new KafkajsServiceConsumer(
    client,
    options.groupId,
    kafkajsClientOf(client).consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      allowAutoTopicCreation: false,
      partitionAssigners,
      ...(options.maxWaitMilliseconds === undefined
        ? {}
        : { maxWaitTimeInMs: options.maxWaitMilliseconds }),
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
      ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
    }),
  );
}

function toConsumedBatch(payload: kafkajs.EachBatchPayload): ConsumedBatch {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
  const { topic, partition, highWatermark } = batch;
  return {
    topic,
    partition,
    records: batch.messages.map((message) => toConsumedRecord(topic, partition, message)),
    highWatermark,
    readToEnd: batch.offsetLag() === '0',
    resolve: resolveOffset,
    heartbeat,
    isCurrent: () => isRunning() && !isStale(),
  };
}
