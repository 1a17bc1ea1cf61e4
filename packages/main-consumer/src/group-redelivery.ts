import { RicochetError, type Logger } from '@ricochet/core';
import {
  AdminOperationError,
  createAdmin,
  type ConsumedBatch,
  type KafkaAdmin,
  type KafkaClient,
  type PartitionControls,
} from '@ricochet/kafka';
import { RedeliveryPriority, type SourceChange } from './redelivery-priority.js';

/** `redelivery: 'group'` and the group's redelivery topic is missing. */
export class RedeliveryTopicMissingError extends RicochetError {
  static readonly code = 'REDELIVERY_TOPIC_MISSING';

  constructor(groupId: string, topic: string, cause?: unknown) {
    super(
      `redelivery 'group' needs topic ${topic}; create it with ricochet topology create --group ${groupId}`,
      { code: RedeliveryTopicMissingError.code, retriable: false, cause },
    );
  }
}

/**
 * The main consumer's side of `redelivery: 'group'`. A helper of the service (connected before
 * the consumer): it checks that the group's redelivery topic exists, then pauses and resumes the
 * source partitions as RedeliveryPriority decides, touching only the pauses it made itself.
 */
export class GroupRedelivery {
  readonly #groupId: string;
  readonly #topic: string;
  readonly #sourceTopics: readonly string[];
  readonly #admin: KafkaAdmin;
  readonly #logger: Logger;
  readonly #priority = new RedeliveryPriority();
  readonly #controls: PartitionControls;
  /** The source partitions of the last group join, by topic. */
  #assignment: Readonly<Record<string, readonly number[]>> = {};
  /** The source partitions this paused, to resume exactly those. */
  #paused: { readonly topic: string; readonly partition: number }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    kafka: KafkaClient,
    controls: PartitionControls,
    target: {
      readonly groupId: string;
      readonly topic: string;
      readonly sourceTopics: readonly string[];
    },
    logger: Logger,
  ) {
    this.#groupId = target.groupId;
    this.#topic = target.topic;
    this.#sourceTopics = target.sourceTopics;
    this.#controls = controls;
    this.#admin = createAdmin(kafka);
    this.#logger = logger;
  }

  /** Fails with RedeliveryTopicMissingError, naming the command that creates it, when it is absent. */
  async connect(): Promise<void> {
    await this.#admin.connect();
    const descriptions = await this.#admin.describeTopics([this.#topic]).catch((error: unknown) => {
      if (error instanceof AdminOperationError && error.reason === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw new RedeliveryTopicMissingError(this.#groupId, this.#topic, error);
      }
      throw error;
    });
    const partitions = descriptions.find((description) => description.name === this.#topic)
      ?.partitions.length;
    if (partitions === undefined || partitions === 0) {
      throw new RedeliveryTopicMissingError(this.#groupId, this.#topic);
    }
  }

  async disconnect(): Promise<void> {
    this.#apply(this.#priority.reset());
    await this.#admin.disconnect();
  }

  /** A group join: what was known to wait is read again from the committed offsets. */
  assigned(partitions: Readonly<Record<string, readonly number[]>>): void {
    this.#apply(this.#priority.reset());
    this.#assignment = Object.fromEntries(
      this.#sourceTopics.map((topic) => [topic, partitions[topic] ?? []]),
    );
  }

  /** The consumer crashed: its pauses are forgotten with it. */
  forgetAll(): void {
    this.#apply(this.#priority.reset());
  }

  /** A batch is in hand: one of the redelivery topic may make the source give way. */
  batchStarted(batch: ConsumedBatch): void {
    if (batch.topic === this.#topic) {
      this.#apply(this.#priority.redeliveryBatch(batch.partition, batch.readToEnd, Date.now()));
    }
  }

  #apply(change: SourceChange): void {
    const controls = this.#controls;
    if (change === 'pause') {
      this.#paused = Object.entries(this.#assignment).flatMap(([topic, partitions]) =>
        partitions
          .filter((partition) => !controls.pausedPartitions(topic).includes(partition))
          .map((partition) => ({ topic, partition })),
      );
      for (const { topic, partition } of this.#paused) {
        controls.pause(topic, partition);
      }
      this.#logger.debug('source partitions paused for waiting retries', {
        partitions: this.#paused.length,
      });
      const endsAt = this.#priority.pauseEndsAt() ?? Date.now();
      this.#timer = setTimeout(
        () => this.#apply(this.#priority.expire(Date.now())),
        Math.max(0, endsAt - Date.now()),
      );
      this.#timer.unref();
    } else if (change === 'resume') {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      for (const { topic, partition } of this.#paused) {
        controls.resume(topic, partition);
      }
      this.#paused = [];
    }
  }
}
