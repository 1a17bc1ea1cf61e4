import { nextOffset, RicochetError, type Logger } from '@ricochet/core';
import {
  AdminOperationError,
  createAdmin,
  type ConsumedBatch,
  type KafkaAdmin,
  type KafkaClient,
  type PartitionControls,
} from '@ricochet/kafka';
import { redeliveryLookupMilliseconds } from './defaults.js';
import { haltingBatch } from './halting-batch.js';
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
 * the consumer): it checks that the group's redelivery topic exists; then it learns when retries
 * wait there (the batches fetched of it, and every `redeliveryLookupMilliseconds` its end offsets
 * against how far this member has read it) and pauses, ends and resumes the source as
 * RedeliveryPriority decides, touching only the pauses it made itself.
 */
export class GroupRedelivery {
  readonly #groupId: string;
  readonly #topic: string;
  readonly #sourceTopics: readonly string[];
  readonly #controls: PartitionControls;
  readonly #admin: KafkaAdmin;
  readonly #logger: Logger;
  readonly #priority = new RedeliveryPriority();
  /** The source partitions of the last group join, by topic. */
  #sourceAssignment: Readonly<Record<string, readonly number[]>> = {};
  /** The redelivery partitions of the last group join. */
  #owned: readonly number[] = [];
  /** How far this member has fetched each owned redelivery partition: its next offset. */
  readonly #positions = new Map<number, bigint>();
  /** The source partitions this paused, to resume exactly those. */
  #paused: { readonly topic: string; readonly partition: number }[] = [];
  #boundTimer: NodeJS.Timeout | undefined;
  #lookupTimer: NodeJS.Timeout | undefined;
  /** The look-up under way: a disconnect waits for it, or it would connect the admin again. */
  #lookingUp: Promise<void> | undefined;

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
    this.#lookupTimer = setInterval(() => {
      this.#lookingUp ??= this.#lookUp().finally(() => {
        this.#lookingUp = undefined;
      });
    }, redeliveryLookupMilliseconds);
    this.#lookupTimer.unref();
  }

  async disconnect(): Promise<void> {
    clearInterval(this.#lookupTimer);
    this.#lookupTimer = undefined;
    this.forgetAll();
    await this.#lookingUp;
    await this.#admin.disconnect();
  }

  /**
   * A group join: positions are read again from the committed offsets, and the pauses this made
   * are lifted (the client keeps pauses across rebalances).
   */
  assigned(partitions: Readonly<Record<string, readonly number[]>>): void {
    this.#positions.clear();
    this.#apply(this.#priority.reset());
    this.#owned = partitions[this.#topic] ?? [];
    this.#sourceAssignment = Object.fromEntries(
      this.#sourceTopics.map((topic) => [topic, partitions[topic] ?? []]),
    );
  }

  /**
   * The consumer crashed or stopped: its pauses went with it (a restarted consumer has none), and
   * it has no fetch left to steer until the next group join.
   */
  forgetAll(): void {
    clearTimeout(this.#boundTimer);
    this.#boundTimer = undefined;
    this.#priority.reset();
    this.#positions.clear();
    this.#paused = [];
    this.#owned = [];
    this.#sourceAssignment = {};
  }

  /**
   * A batch is in hand. One of the redelivery topic moves this member's position there; one of a
   * source topic is returned as the batch run sees it: no longer current while the source gives
   * way, so that it starts no record more, lets the running ones finish and commits what is done
   * (its other records are fetched again once the source resumes).
   */
  batchStarted(batch: ConsumedBatch): ConsumedBatch {
    if (batch.topic !== this.#topic) {
      return haltingBatch(batch, () => this.#priority.paused);
    }
    const last = batch.records.at(-1);
    if (last !== undefined) {
      const next = BigInt(nextOffset(last.offset));
      const known = this.#positions.get(batch.partition);
      this.#positions.set(batch.partition, known === undefined || next > known ? next : known);
    }
    this.#apply(this.#priority.observed(batch.partition, !batch.readToEnd, Date.now()));
    return batch;
  }

  /** Compares the owned redelivery partitions' end offsets with this member's positions. */
  async #lookUp(): Promise<void> {
    if (this.#owned.length === 0) {
      return;
    }
    try {
      const owned = this.#owned;
      const ends = await this.#admin.fetchTopicOffsets(this.#topic);
      if (owned.some((partition) => !this.#positions.has(partition))) {
        await this.#loadCommitted(owned, ends);
      }
      if (owned !== this.#owned) {
        return; // a group join came meanwhile: these figures are of the last one
      }
      const now = Date.now();
      for (const partition of owned) {
        const end = ends.find((offsets) => offsets.partition === partition);
        const position = this.#positions.get(partition);
        if (end !== undefined && position !== undefined) {
          this.#apply(this.#priority.observed(partition, BigInt(end.high) > position, now));
        }
      }
      this.#apply(this.#priority.expire(now));
    } catch (error) {
      // The look-up only speeds retries up; the fetch finds them all the same.
      this.#logger.debug('looking up the redelivery topic offsets failed', { error });
    }
  }

  /**
   * A member that fetched nothing of a partition yet starts from the group's committed offset,
   * or from the partition's first (the topic is read from its beginning) when there is none.
   */
  async #loadCommitted(
    owned: readonly number[],
    ends: readonly { readonly partition: number; readonly low: string }[],
  ): Promise<void> {
    const committed = await this.#admin.fetchCommittedOffsets(this.#groupId, this.#topic);
    for (const partition of owned) {
      if (this.#positions.has(partition)) {
        continue;
      }
      const offset =
        committed.find((entry) => entry.partition === partition)?.offset ??
        ends.find((entry) => entry.partition === partition)?.low;
      if (offset !== undefined && BigInt(offset) >= 0n) {
        this.#positions.set(partition, BigInt(offset));
      }
    }
  }

  #apply(change: SourceChange): void {
    try {
      this.#steer(change);
    } catch (error) {
      // The consumer is stopping or restarting (the client refuses pauses then): its pauses go
      // with it, and the next group join starts afresh.
      this.#logger.debug('the source partitions could not be paused or resumed', { error });
    }
  }

  #steer(change: SourceChange): void {
    const controls = this.#controls;
    if (change === 'pause') {
      this.#paused = Object.entries(this.#sourceAssignment).flatMap(([topic, partitions]) =>
        partitions
          .filter((partition) => !controls.pausedPartitions(topic).includes(partition))
          .map((partition) => ({ topic, partition })),
      );
      const endsAt = this.#priority.pauseEndsAt() ?? Date.now();
      this.#boundTimer = setTimeout(
        () => this.#apply(this.#priority.expire(Date.now())),
        Math.max(0, endsAt - Date.now()),
      );
      this.#boundTimer.unref();
      for (const { topic, partition } of this.#paused) {
        controls.pause(topic, partition);
      }
    } else if (change === 'resume') {
      clearTimeout(this.#boundTimer);
      this.#boundTimer = undefined;
      const paused = this.#paused;
      this.#paused = [];
      for (const { topic, partition } of paused) {
        controls.resume(topic, partition);
      }
    }
  }
}
