import { randomUUID } from 'node:crypto';
import type kafkajs from 'kafkajs';
import { RicochetError, type ConsumedRecord } from '@ricochet/core';
import type { KafkaAdmin } from './admin.js';
import { kafkajsClientOf, type KafkaClient } from './client.js';
import { createAdmin } from './kafkajs-admin.js';
import { toConsumedRecord } from './records.js';

/**
 * Reads ranges of offsets of any partition of some topics, committing nothing: the main
 * consumer's key-strict state (a compacted topic loaded earliest..end, the waiting topic scanned
 * from an offset found by timestamp, a partition polled for new records).
 */
export interface PartitionReader {
  offsets(topic: string, partition: number): Promise<{ earliest: string; end: string }>;
  /** First offset with a timestamp >= timestamp; the end offset when none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<string>;
  /** Records from <= offset < until, in order, in chunks; stops when onRecords returns false. */
  read(
    topic: string,
    partition: number,
    from: string,
    until: string,
    onRecords: (records: readonly ConsumedRecord[]) => Promise<boolean | void> | boolean | void,
  ): Promise<void>;
  close(): Promise<void>;
}

export interface PartitionReaderOptions {
  /** The only topics it reads; they must exist. */
  readonly topics: readonly string[];
  /**
   * Start of the private consumer group's id (a random UUID follows), so that operators can tell
   * readers' groups apart from services' groups; `defaultPartitionReaderGroupPrefix` when unset.
   */
  readonly groupIdPrefix?: string;
}

export const defaultPartitionReaderGroupPrefix = 'ricochet-reader-';

/**
 * How long the broker may hold a fetch open. It bounds how long a read that starts waits for the
 * fetch in flight (and, with every partition paused, the client's idle sleep between looks), so
 * it is short; a read's range normally lies below the end, so fetches return at once anyway.
 */
const fetchWaitMilliseconds = 100;

/**
 * How long the batch handler waits for onRecords. A quick onRecords (loading state into memory)
 * keeps the client's fetch going from batch to batch; a slower one is detached from the handler
 * and its partition paused (see createPartitionReader), which costs up to a fetch wait per chunk.
 */
const inlineDeliveryMilliseconds = 20;

/** How many partitions' batches the client hands over at once (see inlineDeliveryMilliseconds). */
const partitionsHandledAtOnce = 16;

/** A read failed: the reader's consumer crashed, or the partition is not one it can read. */
export class PartitionReadError extends RicochetError {
  static readonly code = 'PARTITION_READ_FAILED';

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, { code: PartitionReadError.code, ...options });
  }
}

/** The reader was closed before or during the read. */
export class PartitionReaderClosedError extends RicochetError {
  static readonly code = 'PARTITION_READER_CLOSED';

  constructor() {
    super('the partition reader was closed', {
      code: PartitionReaderClosedError.code,
      retriable: false,
    });
  }
}

type OnRecords = (records: readonly ConsumedRecord[]) => Promise<boolean | void> | boolean | void;

/** The read in progress on one partition. */
interface ActiveRead {
  /** The next offset it wants. */
  next: bigint;
  readonly until: bigint;
  readonly onRecords: OnRecords;
  /** True while a chunk is with onRecords. */
  delivering: boolean;
  /**
   * True when onRecords outlasted the batch handler's wait: the partition is paused, and the
   * delivery moves its fetch and resumes it when done.
   */
  detached: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

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
export async function createPartitionReader(
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

function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

class KafkajsPartitionReader implements PartitionReader {
  readonly #admin: KafkaAdmin;
  readonly #consumer: kafkajs.Consumer;
  readonly #topics: ReadonlySet<string>;
  readonly #logger: kafkajs.Logger;
  /** The partitions the consumer was last assigned, by topic. */
  #assignment = new Map<string, readonly number[]>();
  readonly #reads = new Map<string, ActiveRead>();
  /** The end of the last read queued for each partition: reads of one partition take turns. */
  readonly #turns = new Map<string, Promise<void>>();
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
    this.#admin = admin;
    this.#consumer = consumer;
    this.#topics = new Set(topics);
    this.#logger = logger;
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
        eachBatch: (payload) => this.#onBatch(payload),
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
    // The group's first fetch would start every partition at its earliest offset: only the
    // partitions whose read waits for records are left unpaused, each moved back to where its
    // read is (a rejoin starts them from the beginning again, as nothing is committed). A read
    // whose chunk is with onRecords moves and resumes its partition when that is done.
    const paused: Array<{ topic: string; partitions: number[] }> = [];
    for (const [topic, partitions] of this.#assignment) {
      const idle: number[] = [];
      for (const partition of partitions) {
        const read = this.#reads.get(partitionKey(topic, partition));
        if (read === undefined) {
          idle.push(partition);
        } else if (read.delivering) {
          read.detached = true;
          idle.push(partition);
        } else {
          this.#consumer.seek({ topic, partition, offset: read.next.toString() });
        }
      }
      paused.push({ topic, partitions: idle });
    }
    this.#consumer.pause(paused.filter(({ partitions }) => partitions.length > 0));
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
    this.#failReads(failure);
  }

  #failReads(error: Error): void {
    const reads = [...this.#reads.values()];
    this.#reads.clear();
    for (const read of reads) {
      read.reject(error);
    }
  }

  async #onBatch({ batch, isStale, resolveOffset }: kafkajs.EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const read = this.#reads.get(partitionKey(topic, partition));
    if (read === undefined) {
      // Fetched before it was paused (the group's first fetch, a new partition after a rejoin).
      this.#consumer.pause([{ topic, partitions: [partition] }]);
      return;
    }
    if (read.delivering || isStale()) {
      return;
    }
    read.delivering = true;
    const records: ConsumedRecord[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset >= read.next && offset < read.until) {
        records.push(toConsumedRecord(topic, partition, message));
      }
    }
    // Past the batch's last offset, which counts records the client filtered out (compacted or
    // aborted ones, transaction markers).
    const lastOffset = batch.lastOffset();
    const delivery = this.#deliver(topic, partition, read, records, BigInt(lastOffset) + 1n);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      delivery,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, inlineDeliveryMilliseconds);
      }),
    ]);
    clearTimeout(timer);
    if (!read.delivering) {
      // Delivered in time: the client's next fetch simply goes on past the batch (a finished
      // read has paused the partition already).
      resolveOffset(lastOffset);
      return;
    }
    read.detached = true;
    this.#consumer.pause([{ topic, partitions: [partition] }]);
  }

  /** Hands a chunk to onRecords, then ends the read or lets the partition's fetch go on. */
  async #deliver(
    topic: string,
    partition: number,
    read: ActiveRead,
    records: readonly ConsumedRecord[],
    next: bigint,
  ): Promise<void> {
    let more: boolean | void = true;
    try {
      if (records.length > 0) {
        more = await read.onRecords(records);
      }
    } catch (error) {
      read.delivering = false;
      this.#finish(topic, partition, read, error);
      return;
    }
    read.delivering = false;
    if (this.#reads.get(partitionKey(topic, partition)) !== read) {
      return;
    }
    if (next > read.next) {
      read.next = next;
    }
    if (more === false || read.next >= read.until) {
      this.#finish(topic, partition, read);
      return;
    }
    if (read.detached) {
      read.detached = false;
      this.#fetchFrom(topic, partition, read);
    }
  }

  /**
   * Moves the partition's fetch to `offset` and resumes it. The client refuses while its consumer
   * is down (between a crash and the crash event): the read then fails as the crash would fail it.
   */
  #fetchFrom(topic: string, partition: number, read: ActiveRead): void {
    try {
      this.#consumer.seek({ topic, partition, offset: read.next.toString() });
      this.#consumer.resume([{ topic, partitions: [partition] }]);
    } catch (error) {
      this.#finish(
        topic,
        partition,
        read,
        new PartitionReadError('the partition reader consumer is not running', {
          retriable: true,
          cause: error,
        }),
      );
    }
  }

  /** Stops fetching the partition; nothing to stop while the consumer is down. */
  #pause(topic: string, partition: number): void {
    try {
      this.#consumer.pause([{ topic, partitions: [partition] }]);
    } catch {
      // Down: a restarted consumer pauses partitions on its join.
    }
  }

  /** Ends the read if it is still the partition's read (a crash or close may have ended it). */
  #finish(topic: string, partition: number, read: ActiveRead, error?: unknown): void {
    const key = partitionKey(topic, partition);
    if (this.#reads.get(key) !== read) {
      return;
    }
    this.#reads.delete(key);
    this.#pause(topic, partition);
    if (error === undefined) {
      read.resolve();
    } else {
      read.reject(error);
    }
  }

  #checkTopic(topic: string): void {
    if (!this.#topics.has(topic)) {
      throw new PartitionReadError(`"${topic}" is not one of the topics this reader reads`, {
        retriable: false,
      });
    }
  }

  async offsets(topic: string, partition: number): Promise<{ earliest: string; end: string }> {
    this.#checkTopic(topic);
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    const found = offsets.find((entry) => entry.partition === partition);
    if (found === undefined) {
      throw new PartitionReadError(`${topic} has no partition ${partition}`, { retriable: false });
    }
    return { earliest: found.low, end: found.high };
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<string> {
    this.#checkTopic(topic);
    const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    const found = offsets.find((entry) => entry.partition === partition);
    if (found === undefined) {
      throw new PartitionReadError(`${topic} has no partition ${partition}`, { retriable: false });
    }
    return found.offset;
  }

  read(
    topic: string,
    partition: number,
    from: string,
    until: string,
    onRecords: OnRecords,
  ): Promise<void> {
    this.#checkTopic(topic);
    const start = BigInt(from);
    const end = BigInt(until);
    if (start >= end) {
      return Promise.resolve();
    }
    const key = partitionKey(topic, partition);
    const previous = this.#turns.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.#readAlone(topic, partition, start, end, onRecords));
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.#turns.set(key, settled);
    void settled.then(() => {
      if (this.#turns.get(key) === settled) {
        this.#turns.delete(key);
      }
    });
    return turn;
  }

  /** A read once the partition's earlier reads are over. */
  async #readAlone(
    topic: string,
    partition: number,
    from: bigint,
    until: bigint,
    onRecords: OnRecords,
  ): Promise<void> {
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
    await new Promise<void>((resolve, reject) => {
      const read = {
        next: from,
        until,
        onRecords,
        delivering: false,
        detached: false,
        resolve,
        reject,
      };
      this.#reads.set(partitionKey(topic, partition), read);
      this.#fetchFrom(topic, partition, read);
    });
  }

  async close(): Promise<void> {
    this.#failure = new PartitionReaderClosedError();
    this.#failReads(this.#failure);
    await Promise.allSettled([this.#consumer.disconnect(), this.#admin.disconnect()]);
  }
}
