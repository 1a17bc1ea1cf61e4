import { setTimeout as sleep } from 'node:timers/promises';
import { RicochetError, type Logger } from '@ricochet/core';
import { librdkafkaOf, type KafkaClient } from './client.js';
import type {
  LibrdkafkaModule,
  NativeConsumer,
  NativeError,
  NativeMessage,
  NativeTopicPartition,
} from './librdkafka-api.js';
import { sharedGroupAssignor } from './driver.js';
import { librdkafkaErrorFrom } from './librdkafka-errors.js';
import {
  batchesByPartition,
  consumeRecords,
  createNativeConsumer,
  disconnectNative,
  maxPollWaitMilliseconds,
} from './librdkafka-polls.js';
import { toConsumedRecord } from './librdkafka-records.js';
import { authorizationErrorFrom, refusedResource, topicsNamed } from './security.js';
import {
  isOutOfGeneration,
  NoGroupSessionError,
  type ServiceConsumer,
  type ServiceConsumerOptions,
  type Subscription,
} from './service-consumer.js';

/** librdkafka's rebalance callback codes. */
const assignPartitions = -175;
const revokePartitions = -174;
/** librdkafka's offset for "where the group committed, else auto.offset.reset". */
const committedOffset = -1001;

/**
 * The most records one poll hands over. The records already fetched are in librdkafka's queue;
 * a poll only moves them into JavaScript, so this bounds the batches in hand, not the fetches.
 * The next poll waits for every batch of this one, as kafkajs's next fetch does, and a batch
 * lasts as long as its slowest key: 2,000 (333 a partition of six, where a kafkajs fetch hands up
 * to 1 MiB a partition) left an I/O-bound main consumer's slots idle at each poll's end
 * (io-bound bench at 1,024 in flight: 6,432 records/s against kafkajs's 13,256; 13,370 with this).
 */
const maxRecordsPerPoll = 8_000;

/**
 * The longest the broker may hold a fetch with nothing to return. librdkafka sends a broker's
 * next fetch only once the one in flight returns, so a partition resumed or sought meanwhile
 * waits this long for its records: a held record's redelivery, the source after a redelivery
 * turn. The services' own wait (5 s, for kafkajs's idle stop) would make that seconds.
 */
const maxFetchWaitMilliseconds = 100;

/**
 * What librdkafka may read ahead into its own queue, across the consumer's partitions (its default,
 * 64 MiB, made a delay service's memory grow with the records it holds).
 */
const readAheadKilobytes = 16_384;

/** kafkajs restarts a crashed consumer after its retry time; the same pause here. */
const restartDelayMilliseconds = 1_000;

/** How long a seek may take inside librdkafka before it is reported as failed. */
const seekTimeoutMilliseconds = 5_000;

/** How long the watermark request that wakes a resumed partition's broker may take. */
const wakeTimeoutMilliseconds = 5_000;

/** A partition's key in this consumer's maps. */
function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The group rebalanced, or the consumer restarts: the batch's partition may be someone else's. */
class BatchSupersededError extends RicochetError {
  constructor() {
    super('the group rebalanced while the batch was handled; its partition is read again', {
      code: 'BATCH_SUPERSEDED',
      retriable: true,
    });
  }
}

/**
 * A service's consumer on librdkafka's own consumer API (`KafkaConsumer.consume(n)`), which reads
 * about twice as fast as the addon's KafkaJS-style layer (docs/drivers.md). It keeps the port's
 * kafkajs-shaped contract:
 *
 * - batches: one poll's records, split by partition, handed to `eachBatch` up to
 *   `partitionsConsumedConcurrently` at a time; the next poll waits for all of them, so the
 *   batches in hand hold back the next batches as with kafkajs;
 * - resolve: a batch that ends with records unresolved makes the partition read again from the
 *   first of them, as kafkajs fetches again past the last resolved offset;
 * - pauses are kept across rebalances and applied once the partition is assigned (librdkafka
 *   refuses to pause a partition it does not own), and forgotten by a restart;
 * - a seek, a rebalance or a stop ends the batches in hand (`isCurrent`);
 * - a batch handler that throws crashes the consumer, which leaves the group and joins again
 *   after `restartDelayMilliseconds`, reading from the committed offsets, as kafkajs restarts.
 *
 * librdkafka sends the group heartbeats from its own thread, and serves a rebalance on the next
 * poll: a member joining waits for the batches in hand (at most max.poll.interval.ms).
 */
export class LibrdkafkaServiceConsumer implements ServiceConsumer {
  readonly #librdkafka: LibrdkafkaModule;
  readonly #client: KafkaClient;
  readonly #options: ServiceConsumerOptions;
  readonly #logger: Logger;
  readonly #joined: ((groupId: string, assignment: Record<string, number[]>) => void)[] = [];
  readonly #rebalancing: (() => void)[] = [];
  readonly #crashed: ((error: Error, restart: boolean) => void)[] = [];

  #subscription: Subscription | undefined;
  #native: NativeConsumer | undefined;
  /** Bumped by every assignment, revocation and restart: a batch of an older one is not current. */
  #generation = 0;
  #assigned = new Set<string>();
  readonly #paused = new Map<string, NativeTopicPartition>();
  /** Bumped per partition by every seek: a batch read before it is not current. */
  readonly #seeks = new Map<string, number>();
  readonly #seeksUnderway = new Set<Promise<void>>();
  #running = false;
  #polling: Promise<void> | undefined;
  #restart: AbortController | undefined;

  constructor(client: KafkaClient, options: ServiceConsumerOptions) {
    const { librdkafka, options: connection } = librdkafkaOf(client);
    this.#librdkafka = librdkafka;
    this.#client = client;
    this.#options = options;
    this.#logger = connection.logger;
  }

  onGroupJoin(listener: (groupId: string, assignment: Record<string, number[]>) => void): void {
    this.#joined.push(listener);
  }

  onRebalancing(listener: () => void): void {
    this.#rebalancing.push(listener);
  }

  onCrash(listener: (error: Error, restart: boolean) => void): void {
    this.#crashed.push(listener);
  }

  async start(subscription: Subscription, stopped?: AbortSignal): Promise<void> {
    this.#subscription = subscription;
    await this.#join(stopped);
    this.#running = true;
    this.#polling = this.#poll();
  }

  /** Makes a librdkafka consumer, connects it and subscribes: the group join follows on polling. */
  async #join(stopped?: AbortSignal): Promise<void> {
    const subscription = this.#subscription!;
    const native: NativeConsumer = createNativeConsumer(
      this.#client,
      {
        'group.id': this.#options.groupId,
        'session.timeout.ms': this.#options.sessionTimeoutMilliseconds,
        'partition.assignment.strategy': sharedGroupAssignor,
        'fetch.wait.max.ms': Math.min(
          this.#options.maxWaitMilliseconds ?? maxFetchWaitMilliseconds,
          maxFetchWaitMilliseconds,
        ),
        'queued.max.messages.kbytes': readAheadKilobytes,
        ...(this.#options.maxBytesPerPartition === undefined
          ? {}
          : {
              'max.partition.fetch.bytes': this.#options.maxBytesPerPartition,
              // One fetch a partition ahead, as kafkajs reads. librdkafka's own read-ahead (up to
              // 100,000 records a partition) is dropped by every pause: a delay tier, which pauses
              // each partition about once a second, fetched and converted each record several
              // times (200 µs of CPU a record at 2,000 records/s, redelivery lateness p99 327 ms;
              // 96 µs and 34 ms with this).
              'queued.min.messages': 1,
            }),
        rebalance_cb: (error: NativeError, assignment: NativeTopicPartition[]) => {
          this.#rebalanced(native, error, assignment);
        },
      },
      { 'auto.offset.reset': subscription.fromBeginning ? 'earliest' : 'latest' },
      'librdkafka consumer error',
    );
    try {
      await new Promise<void>((resolve, reject) => {
        native.connect({}, (error) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      throw librdkafkaErrorFrom(this.#librdkafka, error);
    }
    if (stopped?.aborted) {
      await disconnectNative(native);
      stopped.throwIfAborted();
    }
    native.subscribe([...subscription.topics]);
    this.#native = native;
  }

  #rebalanced(
    native: NativeConsumer,
    error: NativeError,
    assignment: NativeTopicPartition[],
  ): void {
    this.#generation += 1;
    if (error.code !== assignPartitions) {
      if (error.code !== revokePartitions) {
        this.#logger.warn('librdkafka rebalance failed; the consumer joins again', {
          error: librdkafkaErrorFrom(this.#librdkafka, error),
        });
      }
      this.#assigned = new Set();
      this.#notify(this.#rebalancing, (listener) => listener());
      native.unassign();
      return;
    }
    if (native !== this.#native || !this.#running) {
      return;
    }
    // Each partition starts where the group committed, else where `fromBeginning` says
    // (auto.offset.reset).
    native.assign(
      assignment.map(({ topic, partition }) => ({ topic, partition, offset: committedOffset })),
    );
    this.#assigned = new Set(
      assignment.map(({ topic, partition }) => partitionKey(topic, partition)),
    );
    // librdkafka keeps a partition's pause through an unassign: one paused while this member
    // owned it before is still paused now unless resumed here.
    const [paused, unpaused] = partitionBy(assignment, ({ topic, partition }) =>
      this.#paused.has(partitionKey(topic, partition)),
    );
    if (unpaused.length > 0) {
      native.resume(unpaused);
    }
    if (paused.length > 0) {
      native.pause(paused);
    }
    const byTopic: Record<string, number[]> = {};
    for (const { topic, partition } of assignment) {
      (byTopic[topic] ??= []).push(partition);
    }
    this.#notify(this.#joined, (listener) => listener(this.#options.groupId, byTopic));
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      const native = this.#native;
      if (native === undefined) {
        return;
      }
      await Promise.all(this.#seeksUnderway);
      let messages: NativeMessage[];
      try {
        messages = await consumeRecords(native, maxRecordsPerPoll);
      } catch (error) {
        if (await this.#pollFailed(librdkafkaErrorFrom(this.#librdkafka, error))) {
          continue;
        }
        return;
      }
      if (messages.length === 0 || !this.#running || native !== this.#native) {
        continue;
      }
      try {
        await this.#handle(messages);
      } catch (error) {
        this.#crash(error instanceof Error ? error : new Error(String(error)), true);
        return;
      }
    }
  }

  /**
   * A failed poll: a refusal for want of an ACL crashes the consumer for good, as kafkajs does;
   * anything else librdkafka retries itself, so the poll goes on after a pause. Returns whether
   * polling goes on.
   */
  async #pollFailed(error: unknown): Promise<boolean> {
    if (refusedResource(error) !== undefined) {
      const topics = this.#subscription!.topics;
      this.#crash(
        authorizationErrorFrom(error, {
          group: `Read on group ${this.#options.groupId}`,
          topic: `Read on ${topicsNamed(topics)}`,
          cluster: 'the cluster permission it was refused',
        }) as Error,
        false,
      );
      return false;
    }
    this.#logger.debug('librdkafka poll failed; polling again', { error });
    await sleep(maxPollWaitMilliseconds);
    return this.#running;
  }

  /** One poll's records, as a batch per partition, `partitionsConsumedConcurrently` at a time. */
  async #handle(messages: readonly NativeMessage[]): Promise<void> {
    const batches = [...batchesByPartition(messages, partitionKey).values()];
    const concurrency = Math.max(1, this.#subscription!.partitionsConsumedConcurrently ?? 1);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next]!;
        next += 1;
        await this.#handleBatch(batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  }

  async #handleBatch(messages: readonly NativeMessage[]): Promise<void> {
    const native = this.#native!;
    const { topic, partition } = messages[0]!;
    const key = partitionKey(topic, partition);
    const generation = this.#generation;
    const seeks = this.#seeks.get(key) ?? 0;
    const last = messages[messages.length - 1]!.offset;
    let resolved = messages[0]!.offset - 1;
    const isCurrent = (): boolean =>
      this.#running &&
      native === this.#native &&
      this.#generation === generation &&
      (this.#seeks.get(key) ?? 0) === seeks;
    await this.#subscription!.eachBatch({
      topic,
      partition,
      records: messages.map(toConsumedRecord),
      ...watermarkOf(native, topic, partition, last),
      resolve: (offset) => {
        resolved = Math.max(resolved, Number(offset));
      },
      heartbeat: async () => {
        if (native !== this.#native || this.#generation !== generation) {
          throw new BatchSupersededError();
        }
      },
      isCurrent,
    });
    // kafkajs fetches a partition again past its last resolved offset; librdkafka would go on
    // past the whole poll.
    if (resolved < last && isCurrent()) {
      this.#seekNative(native, topic, partition, resolved + 1);
    }
  }

  #seekNative(native: NativeConsumer, topic: string, partition: number, offset: number): void {
    const seek = new Promise<void>((resolve) => {
      native.seek({ topic, partition, offset }, seekTimeoutMilliseconds, (error) => {
        if (error) {
          this.#logger.warn('librdkafka seek failed', {
            topic,
            partition,
            offset,
            error: librdkafkaErrorFrom(this.#librdkafka, error),
          });
        }
        resolve();
      });
    });
    this.#seeksUnderway.add(seek);
    void seek.then(() => this.#seeksUnderway.delete(seek));
  }

  /**
   * Reports the crash; a restart leaves the group and joins again, reading from the committed
   * offsets with no pause kept (as kafkajs's restart makes a new consumer group).
   */
  #crash(error: Error, restart: boolean): void {
    const native = this.#native;
    this.#native = undefined;
    this.#generation += 1;
    this.#assigned = new Set();
    this.#paused.clear();
    this.#notify(this.#crashed, (listener) => listener(error, restart));
    const disconnected = native === undefined ? Promise.resolve() : disconnectNative(native);
    if (!restart || !this.#running) {
      this.#running = false;
      return;
    }
    const restarting = new AbortController();
    this.#restart = restarting;
    void disconnected
      .then(() => sleep(restartDelayMilliseconds, undefined, { signal: restarting.signal }))
      .then(() => this.#join(restarting.signal))
      .then(() => {
        this.#polling = this.#poll();
      })
      .catch((restartError: unknown) => {
        if (!restarting.signal.aborted) {
          this.#running = false;
          this.#notify(this.#crashed, (listener) =>
            listener(
              restartError instanceof Error ? restartError : new Error(String(restartError)),
              false,
            ),
          );
        }
      });
  }

  #notify<T>(listeners: readonly T[], call: (listener: T) => void): void {
    for (const listener of listeners) {
      call(listener);
    }
  }

  async commit(topic: string, partition: number, offset: string, metadata?: string): Promise<void> {
    const native = this.#native;
    if (native === undefined) {
      throw new NoGroupSessionError();
    }
    try {
      // Synchronous: the addon's commit with a callback is librdkafka's asynchronous commit, which
      // calls back once the commit is queued, not done. A read right after it found the commit
      // before (2 of 40 in kafka-drivers.test.ts), and a handler crashing the process right
      // after a crash guard's mark could lose the mark. This waits for the coordinator on the
      // event loop's thread: a round trip, or up to the session timeout while no coordinator is
      // reachable (librdkafka defers a commit that long).
      native.commitSync([
        {
          topic,
          partition,
          offset: Number(offset),
          ...(metadata === undefined ? {} : { metadata }),
        },
      ]);
    } catch (failure) {
      const error = librdkafkaErrorFrom(this.#librdkafka, failure);
      if (isOutOfGeneration(error)) {
        this.#notify(this.#rebalancing, (listener) => listener());
      }
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    this.#running = false;
    this.#restart?.abort();
    await this.#polling;
    const native = this.#native;
    this.#native = undefined;
    if (native !== undefined) {
      await disconnectNative(native);
    }
  }

  pause(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    this.#paused.set(key, { topic, partition });
    if (this.#assigned.has(key)) {
      this.#native?.pause([{ topic, partition }]);
    }
  }

  resume(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const native = this.#native;
    if (this.#paused.delete(key) && this.#assigned.has(key) && native !== undefined) {
      native.resume([{ topic, partition }]);
      this.#wakeFetcher(native, topic, partition);
    }
  }

  /**
   * librdkafka does not wake the broker's fetch thread for a resumed partition: with nothing else
   * to fetch (a delay tier with every partition held), the partition waits for the thread's next
   * round, up to a second (measured: resume to first record p50 600 ms; confluent-kafka-go#630).
   * Any request through that broker wakes it; the partition's watermarks are the cheapest, and
   * change no position (resume to first record p50 3 ms).
   */
  #wakeFetcher(native: NativeConsumer, topic: string, partition: number): void {
    native.queryWatermarkOffsets(topic, partition, wakeTimeoutMilliseconds, (error) => {
      if (error) {
        this.#logger.debug('the watermark request waking a resumed partition failed', {
          topic,
          partition,
          error: librdkafkaErrorFrom(this.#librdkafka, error),
        });
      }
    });
  }

  seek(topic: string, partition: number, offset: string): void {
    const key = partitionKey(topic, partition);
    this.#seeks.set(key, (this.#seeks.get(key) ?? 0) + 1);
    const native = this.#native;
    if (native !== undefined && this.#assigned.has(key)) {
      this.#seekNative(native, topic, partition, Number(offset));
    }
  }

  pausedPartitions(topic: string): readonly number[] {
    return [...this.#paused.values()]
      .filter((place) => place.topic === topic)
      .map(({ partition }) => partition);
  }
}

function partitionBy<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const passed: T[] = [];
  const failed: T[] = [];
  for (const item of items) {
    (test(item) ? passed : failed).push(item);
  }
  return [passed, failed];
}

/** The partition's high watermark as librdkafka last saw it, falling back to the batch's end. */
function watermarkOf(
  native: NativeConsumer,
  topic: string,
  partition: number,
  last: number,
): { highWatermark: string; readToEnd: boolean } {
  let high = last + 1;
  try {
    high = Math.max(high, native.getWatermarkOffsets(topic, partition).highOffset);
  } catch {
    // Not known yet (no fetch response seen): the batch's end is the best known.
  }
  return { highWatermark: String(high), readToEnd: last + 1 >= high };
}
