/** The partition reader over kafkajs: a consumer in a private group, its start, rejoins, crashes. */
import { randomUUID } from 'node:crypto';
import type kafkajs from 'kafkajs';
import type { KafkaAdmin } from './admin.js';
import { kafkajsClientOf, type KafkaClient } from './client.js';
import { createAdmin } from './create-admin.js';
import {
  defaultPartitionReaderGroupPrefix,
  PartitionReadError,
  PartitionReaderClosedError,
  type PartitionReader,
  type PartitionReaderOptions,
} from './partition-reader.js';
import {
  PartitionReads,
  TurnTakingPartitionReader,
  type OnRecords,
  type PartitionFetches,
} from './partition-reads.js';
import { toConsumedRecord } from './records.js';

/**
 * How long the broker may hold a fetch open. It bounds how long a read that starts waits for the
 * fetch in flight (and, with every partition paused, the client's idle sleep between looks), so
 * it is short; a read's range normally lies below the end, so fetches return at once anyway.
 */
const fetchWaitMilliseconds = 100;

/**
 * How many partitions' batches the client hands over at once (see inlineDeliveryMilliseconds in
 * partition-reads.ts).
 */
const partitionsHandledAtOnce = 16;

/**
 * Creates a reader and resolves once its consumer has joined its group and can read.
 *
 * kafkajs has no consumer without a group, and no manual assignment. So each reader owns one
 * consumer in a private group (`groupIdPrefix` + a random UUID) that it alone joins: that member
 * is assigned every partition of the topics. Nothing is ever committed (auto-commit off, no
 * commit call; seeking without auto-commit only moves the fetch position), so the group holds no
 * offsets and the broker forgets it once the reader leaves. Joining a new group waits the
 * broker's group.initial.rebalance.delay.ms (3 s by default): create one reader and keep it.
 *
 * Every partition is paused except those being read. A read seeks its partition to `from` and
 * resumes it. The batch handler hands each fetched batch to `onRecords` and waits for it a
 * little (inlineDeliveryMilliseconds): a quick `onRecords` lets the client's fetch go on past
 * the batch. A slower one is detached: the handler pauses the partition and returns, so that it
 * neither holds up reads of other partitions (kafkajs fetches again only once every batch of a
 * fetch is handled) nor the group's heartbeats; when it is done, the read seeks past the chunk
 * and resumes the partition. Either way the next chunk is fetched only after `onRecords` is done
 * with the last, so memory is one fetch per partition being read (the client's
 * bytes-per-partition limit). The read ends, and its partition is paused, once the range is read
 * or `onRecords` returns false.
 *
 * kafkajs drops record batches that compaction emptied, so a fetch that only meets such batches
 * never moves on. A read up to the end of a compacted partition still ends, because its last
 * batch lies in the active segment, which compaction never touches.
 */
export async function createKafkajsPartitionReader(
  client: KafkaClient,
  options: PartitionReaderOptions,
): Promise<PartitionReader> {
  const kafka = kafkajsClientOf(client);
  const groupId = `${options.groupIdPrefix ?? defaultPartitionReaderGroupPrefix}${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: fetchWaitMilliseconds,
  });
  const reader = new KafkajsPartitionReader(
    createAdmin(client),
    consumer,
    options.topics,
    kafka.logger().namespace('PartitionReader'),
  );
  await reader.start();
  return reader;
}

/** A read moves its partition's fetch by seeking it and resuming it, and stops it by a pause. */
function kafkajsFetches(consumer: kafkajs.Consumer): PartitionFetches {
  return {
    fetchFrom(topic, partition, offset) {
      consumer.seek({ topic, partition, offset: offset.toString() });
      consumer.resume([{ topic, partitions: [partition] }]);
    },
    stop(topic, partition) {
      try {
        consumer.pause([{ topic, partitions: [partition] }]);
      } catch {
        // Down: a restarted consumer pauses partitions on its join.
      }
    },
  };
}

class KafkajsPartitionReader extends TurnTakingPartitionReader {
  readonly #admin: KafkaAdmin;
  readonly #consumer: kafkajs.Consumer;
  readonly #topics: readonly string[];
  readonly #logger: kafkajs.Logger;
  /** The partitions the consumer was last assigned, by topic. */
  #assignment = new Map<string, readonly number[]>();
  readonly #reads: PartitionReads;
  /** Settles when the consumer is in its group; replaced while it restarts after a crash. */
  #joined: Promise<void>;
  #markJoined: () => void = () => undefined;
  #markNotJoined: (error: unknown) => void = () => undefined;
  /** Set once no read can succeed any more: closed, or crashed for good. */
  #failure: Error | undefined;

  constructor(
    admin: KafkaAdmin,
    consumer: kafkajs.Consumer,
    topics: readonly string[],
    logger: kafkajs.Logger,
  ) {
    super(topics);
    this.#admin = admin;
    this.#consumer = consumer;
    this.#topics = topics;
    this.#logger = logger;
    this.#reads = new PartitionReads(kafkajsFetches(consumer));
    this.#joined = this.#awaitJoin();
  }

  #awaitJoin(): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => {
      this.#markJoined = resolve;
      this.#markNotJoined = reject;
    });
    // Only awaited by reads; a crash before any read must not be an unhandled rejection.
    joined.catch(() => undefined);
    return joined;
  }

  async start(): Promise<void> {
    const consumer = this.#consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      this.#onJoin(payload.memberAssignment),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.#onCrash(payload.error, payload.restart),
    );
    try {
      await this.#admin.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.#topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Batches of different partitions are handled side by side: one waiting for its
        // onRecords (up to inlineDeliveryMilliseconds) does not hold up the others.
        partitionsConsumedConcurrently: partitionsHandledAtOnce,
        eachBatch: async ({ batch, isStale, resolveOffset }) => {
          const { topic, partition } = batch;
          const lastOffset = batch.lastOffset();
          const delivered = await this.#reads.onBatch({
            topic,
            partition,
            messages: batch.messages,
            next: BigInt(lastOffset) + 1n,
            toRecord: (message) => toConsumedRecord(topic, partition, message),
            isStale,
          });
          if (delivered) {
            // The client's next fetch simply goes on past the batch.
            resolveOffset(lastOffset);
          }
        },
      });
      await this.#joined;
    } catch (error) {
      await this.close();
      throw new PartitionReadError('the partition reader could not start', {
        retriable: true,
        cause: error,
      });
    }
  }

  #onJoin(assignment: Record<string, number[]>): void {
    this.#assignment = new Map(Object.entries(assignment));
    this.#reads.afterJoin(this.#assignment);
    this.#markJoined();
  }

  #onCrash(error: Error, restart: boolean): void {
    this.#logger.error('the partition reader consumer crashed', {
      error: error.message,
      restart,
    });
    const failure = new PartitionReadError(
      restart
        ? 'the partition reader consumer crashed (it restarts)'
        : 'the partition reader consumer crashed and does not restart',
      { retriable: restart, cause: error },
    );
    if (!restart) {
      this.#failure = failure;
    }
    this.#markNotJoined(failure);
    this.#joined = restart ? this.#awaitJoin() : Promise.reject(failure);
    this.#joined.catch(() => undefined);
    this.#reads.failAll(failure);
  }

  async offsets(topic: string, partition: number): Promise<{ earliest: string; end: string }> {
    this.checkTopic(topic);
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    const found = offsets.find((entry) => entry.partition === partition);
    if (found === undefined) {
      throw new PartitionReadError(`${topic} has no partition ${partition}`, { retriable: false });
    }
    return { earliest: found.low, end: found.high };
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<string> {
    this.checkTopic(topic);
    const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    const found = offsets.find((entry) => entry.partition === partition);
    if (found === undefined) {
      throw new PartitionReadError(`${topic} has no partition ${partition}`, { retriable: false });
    }
    return found.offset;
  }

  protected async readInTurn(
    topic: string,
    partition: number,
    from: bigint,
    until: bigint,
    onRecords: OnRecords,
  ): Promise<void> {
    await this.#readable(topic, partition);
    await this.#reads.read(topic, partition, from, until, onRecords);
  }

  /**
   * Resolves once the partition may be read, the partition's earlier reads over: the consumer
   * in its group, and the partition assigned to it.
   */
  async #readable(topic: string, partition: number): Promise<void> {
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
    await this.#joined;
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
    if (!(this.#assignment.get(topic) ?? []).includes(partition)) {
      throw new PartitionReadError(`${topic} has no partition ${partition} to read`, {
        retriable: false,
      });
    }
  }

  async close(): Promise<void> {
    this.#failure = new PartitionReaderClosedError();
    this.#reads.failAll(this.#failure);
    await Promise.allSettled([this.#consumer.disconnect(), this.#admin.disconnect()]);
  }
}
