/** The partition reader over librdkafka: a consumer assigned the partitions being read. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ricochet/core';
import { defaultRequestTimeoutMilliseconds, librdkafkaOf, type KafkaClient } from './client.js';
import type {
  Callback,
  LibrdkafkaModule,
  NativeConsumer,
  NativeMessage,
  NativeTopicPartitionOffset,
  NativeWatermarks,
} from './librdkafka-api.js';
import { LibrdkafkaError, librdkafkaErrorFrom } from './librdkafka-errors.js';
import {
  batchesByPartition,
  consumeRecords,
  createNativeConsumer,
  disconnectNative,
  maxPollWaitMilliseconds,
} from './librdkafka-polls.js';
import { toConsumedRecord } from './librdkafka-records.js';
import {
  defaultPartitionReaderGroupPrefix,
  PartitionReadError,
  PartitionReaderClosedError,
  type PartitionReader,
  type PartitionReaderOptions,
} from './partition-reader.js';
import {
  partitionKey,
  PartitionReads,
  TurnTakingPartitionReader,
  type OnRecords,
} from './partition-reads.js';

/**
 * How long the broker may hold a fetch open. librdkafka has one fetch in flight per broker, and
 * fetches ahead past a read's range: once a read has what it wants, a fetch at the partition's
 * end is held, and a partition assigned meanwhile is fetched only once it returns. So every read
 * start waited for it (measured, reads of 10 records one after another: p50 100 ms with 100 ms,
 * 10 ms with 10 ms; 3 ms on kafkajs). Fetches are sent only while a partition is assigned.
 */
const fetchWaitMilliseconds = 10;

/** The most records one poll hands over, across the partitions being read. */
const maxRecordsPerPoll = 2_000;

/**
 * What librdkafka may fetch ahead into its queue, across the partitions being read: with the
 * chunks in hand, the reader's memory. Its default (64 MiB) is made for throughput.
 */
const readAheadKilobytes = 4_096;

/**
 * How long a partition being read may fetch nothing before the reader asks its leader whether
 * it still exists: librdkafka reports nothing for an assigned partition whose topic was deleted,
 * and its read would wait for ever.
 */
const quietCheckMilliseconds = 1_000;

/** librdkafka's and the broker's names for a partition that does not exist (any more). */
const unknownPartitionTypes: ReadonlySet<string> = new Set([
  'ERR__UNKNOWN_PARTITION',
  'ERR__UNKNOWN_TOPIC',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

function isUnknownPartition(error: unknown): boolean {
  return error instanceof LibrdkafkaError && unknownPartitionTypes.has(error.type);
}

/** A partition the consumer is assigned, and since when it fetched nothing. */
interface Assigned {
  readonly topic: string;
  readonly partition: number;
  quietSince: number;
  /** True while the reader asks its leader whether it still exists. */
  checking: boolean;
}

/**
 * Creates a reader and resolves once its consumer is connected.
 *
 * librdkafka reads partitions without joining a group: the consumer is assigned (`assign`, not
 * `subscribe`) just the partitions being read, each at the offset its read starts from, and a
 * read that ends takes its partition off the assignment, which drops what was fetched of it. So
 * nothing is paused or resumed, and a read starts with its partition's first fetch (librdkafka
 * does not wake its fetch thread on a resume; an assignment it does at once). The consumer has a
 * group id (`groupIdPrefix` + a random UUID: librdkafka's assignment needs one) but never joins
 * the group and never commits, so the broker never knows the group.
 *
 * One poll loop runs while a partition is assigned, and hands each poll's records of a partition
 * to its read as a chunk (see PartitionReads: a quick `onRecords` lets the partition's fetch go
 * on; a slower one takes the partition off the assignment until it is done, and the read assigns
 * it again where it is). Memory is what librdkafka fetched ahead (readAheadKilobytes, across
 * partitions) and the chunks with `onRecords`.
 *
 * `offsets` and `offsetForTimestamp` ask the partition's leader through the consumer (one
 * request for the watermarks, one for the timestamp's offset): the key-strict state asks for a
 * partition's end on every poll, and the admin's look-ups (librdkafka-admin.ts) describe the
 * topic and list every partition's offsets.
 */
export async function createLibrdkafkaPartitionReader(
  client: KafkaClient,
  options: PartitionReaderOptions,
): Promise<PartitionReader> {
  const { librdkafka, options: connection } = librdkafkaOf(client);
  const groupId = `${options.groupIdPrefix ?? defaultPartitionReaderGroupPrefix}${randomUUID()}`;
  const native = createNativeConsumer(
    client,
    {
      'group.id': groupId,
      'fetch.wait.max.ms': fetchWaitMilliseconds,
      'queued.max.messages.kbytes': readAheadKilobytes,
    },
    // A read from below the earliest offset (deleted by retention meanwhile) starts at the
    // earliest, as the kafkajs reader's consumer does.
    { 'auto.offset.reset': 'earliest' },
    'librdkafka partition reader error',
  );
  const logger = connection.logger;
  try {
    await new Promise<void>((resolve, reject) => {
      native.connect({}, (error) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    throw new PartitionReadError('the partition reader could not start', {
      retriable: true,
      cause: librdkafkaErrorFrom(librdkafka, error),
    });
  }
  return new LibrdkafkaPartitionReader(
    librdkafka,
    native,
    options.topics,
    logger,
    connection.requestTimeoutMilliseconds ?? defaultRequestTimeoutMilliseconds,
  );
}

class LibrdkafkaPartitionReader extends TurnTakingPartitionReader {
  readonly #librdkafka: LibrdkafkaModule;
  readonly #native: NativeConsumer;
  readonly #logger: Logger;
  readonly #requestTimeoutMilliseconds: number;
  readonly #reads: PartitionReads;
  readonly #assigned = new Map<string, Assigned>();
  /** Assignments waiting for the poll under way to end (see #fetchFrom). */
  readonly #deferred = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** The partitions taken off the assignment while the poll under way was. */
  readonly #unassignedDuringPoll = new Set<string>();
  #pollUnderway = false;
  #looping = false;
  #polling: Promise<void> = Promise.resolve();
  /** Set once closed: no read can succeed any more. */
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    librdkafka: LibrdkafkaModule,
    native: NativeConsumer,
    topics: readonly string[],
    logger: Logger,
    requestTimeoutMilliseconds: number,
  ) {
    super(topics);
    this.#librdkafka = librdkafka;
    this.#native = native;
    this.#logger = logger;
    this.#requestTimeoutMilliseconds = requestTimeoutMilliseconds;
    this.#reads = new PartitionReads({
      fetchFrom: (topic, partition, offset) => this.#fetchFrom(topic, partition, offset),
      stop: (topic, partition) => this.#stop(partitionKey(topic, partition)),
    });
  }

  async offsets(topic: string, partition: number): Promise<{ earliest: string; end: string }> {
    this.checkTopic(topic);
    const { lowOffset, highOffset } = await this.#ask<NativeWatermarks>(
      topic,
      partition,
      (callback) =>
        this.#native.queryWatermarkOffsets(
          topic,
          partition,
          this.#requestTimeoutMilliseconds,
          callback,
        ),
    );
    return { earliest: String(lowOffset), end: String(highOffset) };
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<string> {
    this.checkTopic(topic);
    const [found] = await this.#ask<NativeTopicPartitionOffset[]>(topic, partition, (callback) =>
      this.#native.offsetsForTimes(
        [{ topic, partition, offset: timestamp }],
        this.#requestTimeoutMilliseconds,
        callback,
      ),
    );
    if (found?.error !== undefined) {
      throw this.#askFailure(topic, partition, found.error);
    }
    // -1: no record at or after the timestamp.
    return found !== undefined && found.offset >= 0
      ? String(found.offset)
      : (await this.offsets(topic, partition)).end;
  }

  /** A question about a partition to its leader, through the consumer. */
  async #ask<T>(
    topic: string,
    partition: number,
    request: (callback: Callback<T>) => void,
  ): Promise<T> {
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
    try {
      return await new Promise<T>((resolve, reject) => {
        request((error, result) => (error ? reject(error) : resolve(result)));
      });
    } catch (error) {
      throw this.#askFailure(topic, partition, error);
    }
  }

  #askFailure(topic: string, partition: number, failure: unknown): PartitionReadError {
    const error = librdkafkaErrorFrom(this.#librdkafka, failure);
    if (isUnknownPartition(error)) {
      return new PartitionReadError(`${topic} has no partition ${partition}`, {
        retriable: false,
        cause: error,
      });
    }
    return new PartitionReadError(`the offsets of ${topic} partition ${partition} are unknown`, {
      retriable: error instanceof LibrdkafkaError ? error.retriable : true,
      cause: error,
    });
  }

  protected async readInTurn(
    topic: string,
    partition: number,
    from: bigint,
    until: bigint,
    onRecords: OnRecords,
  ): Promise<void> {
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
    await this.#reads.read(topic, partition, from, until, onRecords);
  }

  /**
   * Assigns the partition at `offset`. A poll under way that began before the partition was
   * last taken off the assignment may hold records of its former fetch, which nothing tells
   * apart from those of the new one: then the assignment waits for that poll, whose records of
   * the partition are dropped (a poll waits at most `maxPollWaitMilliseconds`). Otherwise every record of it a poll returns is of the new fetch:
   * librdkafka's unassign raises the partition's version barrier before it returns, and drops
   * the records of it that a poll takes from its queue afterwards.
   */
  #fetchFrom(topic: string, partition: number, offset: bigint): void {
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
    const key = partitionKey(topic, partition);
    this.#stop(key);
    if (this.#pollUnderway && this.#unassignedDuringPoll.has(key)) {
      this.#deferred.set(key, { topic, partition, offset });
    } else {
      this.#assign(topic, partition, offset);
    }
    if (!this.#looping) {
      this.#looping = true;
      this.#polling = this.#poll();
    }
  }

  #assign(topic: string, partition: number, offset: bigint): void {
    this.#native.incrementalAssign([{ topic, partition, offset: Number(offset) }]);
    this.#assigned.set(partitionKey(topic, partition), {
      topic,
      partition,
      quietSince: Date.now(),
      checking: false,
    });
  }

  /** Takes the partition off the assignment, if it is on it. */
  #stop(key: string): void {
    this.#deferred.delete(key);
    const assigned = this.#assigned.get(key);
    if (assigned === undefined) {
      return;
    }
    this.#assigned.delete(key);
    if (this.#pollUnderway) {
      this.#unassignedDuringPoll.add(key);
    }
    try {
      this.#native.incrementalUnassign([{ topic: assigned.topic, partition: assigned.partition }]);
    } catch (error) {
      // Disconnected (closed): nothing is fetched any more.
      this.#logger.debug('the partition reader could not unassign a partition', {
        topic: assigned.topic,
        partition: assigned.partition,
        error,
      });
    }
  }

  /** Polls while a partition is assigned, or waits to be. */
  async #poll(): Promise<void> {
    try {
      while (this.#failure === undefined && (this.#assigned.size > 0 || this.#deferred.size > 0)) {
        this.#pollUnderway = true;
        let messages: NativeMessage[] = [];
        let failure: unknown;
        try {
          messages = await consumeRecords(this.#native, maxRecordsPerPoll);
        } catch (error) {
          failure = librdkafkaErrorFrom(this.#librdkafka, error);
        }
        this.#pollUnderway = false;
        const stale = new Set(this.#unassignedDuringPoll);
        this.#unassignedDuringPoll.clear();
        this.#assignDeferred();
        if (failure !== undefined) {
          await this.#pollFailed(failure);
          continue;
        }
        await this.#handle(messages, stale);
        this.#checkQuietPartitions();
      }
    } finally {
      this.#looping = false;
    }
  }

  #assignDeferred(): void {
    const deferred = [...this.#deferred.values()];
    this.#deferred.clear();
    for (const { topic, partition, offset } of deferred) {
      try {
        this.#assign(topic, partition, offset);
      } catch (error) {
        this.#reads.fail(
          topic,
          partition,
          new PartitionReadError('the partition reader consumer is not running', {
            retriable: true,
            cause: error,
          }),
        );
      }
    }
  }

  /**
   * A failed poll: a failure that trying again cannot mend (a refused ACL) fails the reads in
   * progress; librdkafka retries anything else itself, so the poll goes on after a pause.
   */
  async #pollFailed(failure: unknown): Promise<void> {
    if (failure instanceof LibrdkafkaError && !failure.retriable) {
      for (const key of [...this.#assigned.keys()]) {
        this.#stop(key);
      }
      this.#reads.failAll(
        new PartitionReadError('the partition reader consumer failed', {
          retriable: false,
          cause: failure,
        }),
      );
      return;
    }
    this.#logger.debug('librdkafka partition reader poll failed; polling again', {
      error: failure,
    });
    await sleep(maxPollWaitMilliseconds);
  }

  /** One poll's records, as a chunk per partition, handed to the partitions' reads side by side. */
  async #handle(messages: readonly NativeMessage[], stale: ReadonlySet<string>): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...batchesByPartition(messages, partitionKey)].map(([key, batch]) => {
        const { topic, partition } = batch[0]!;
        const assigned = this.#assigned.get(key);
        if (assigned !== undefined) {
          assigned.quietSince = now;
        }
        return this.#reads.onBatch({
          topic,
          partition,
          messages: batch,
          next: BigInt(batch[batch.length - 1]!.offset) + 1n,
          toRecord: toConsumedRecord,
          isStale: () => stale.has(key),
        });
      }),
    );
  }

  /**
   * Asks the leader of each partition that fetched nothing for a while whether it still exists;
   * a read of one that does not fails.
   */
  #checkQuietPartitions(): void {
    const now = Date.now();
    for (const assigned of this.#assigned.values()) {
      if (assigned.checking || now - assigned.quietSince < quietCheckMilliseconds) {
        continue;
      }
      assigned.checking = true;
      const { topic, partition } = assigned;
      this.#native.queryWatermarkOffsets(
        topic,
        partition,
        this.#requestTimeoutMilliseconds,
        (failure) => {
          assigned.checking = false;
          assigned.quietSince = Date.now();
          if (!failure) {
            return;
          }
          const error = librdkafkaErrorFrom(this.#librdkafka, failure);
          if (!isUnknownPartition(error)) {
            this.#logger.debug('the partition reader could not check a quiet partition', {
              topic,
              partition,
              error,
            });
            return;
          }
          this.#reads.fail(
            topic,
            partition,
            new PartitionReadError(`${topic} has no partition ${partition} to read`, {
              retriable: false,
              cause: error,
            }),
          );
        },
      );
    }
  }

  /** Once: the addon never calls back a disconnect asked for while one is under way. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#failure = new PartitionReaderClosedError();
    this.#reads.failAll(this.#failure);
    this.#deferred.clear();
    await this.#polling;
    await disconnectNative(this.#native);
  }
}
