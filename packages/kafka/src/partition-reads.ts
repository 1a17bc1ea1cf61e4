/**
 * What the partition readers of both drivers share: the reads in progress, each fed from its
 * partition's fetched batches, and the reads of one partition taking turns.
 */
import type { ConsumedRecord } from '@ricochet/core';
import { PartitionReadError, type PartitionReader } from './partition-reader.js';

/**
 * How long the batch handler waits for onRecords. A quick onRecords (loading state into memory)
 * keeps the client's fetch going from batch to batch; a slower one is detached from the handler
 * and its partition's fetch stopped (see the drivers' readers), which costs up to a fetch wait
 * per chunk.
 */
const inlineDeliveryMilliseconds = 20;

export type OnRecords = (
  records: readonly ConsumedRecord[],
) => Promise<boolean | void> | boolean | void;

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

/** How a driver's reader moves the fetch of one partition for its reads. */
export interface PartitionFetches {
  /** Fetches the partition from `offset` on; throws when the consumer cannot (it is down). */
  fetchFrom(topic: string, partition: number, offset: bigint): void;
  /** Stops fetching the partition; nothing to stop while the consumer is down. */
  stop(topic: string, partition: number): void;
}

/** One partition's records as the driver fetched them, in order. */
export interface FetchedBatch<M extends { readonly offset: string | number }> {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly M[];
  /**
   * Past the batch's last offset, which counts records the client filtered out (compacted or
   * aborted ones, transaction markers).
   */
  readonly next: bigint;
  toRecord(message: M): ConsumedRecord;
  /** True when the batch was fetched before its partition's fetch last moved. */
  isStale(): boolean;
}

/** A partition's name in the maps of reads. */
export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/**
 * The reads in progress, one a partition at most, and the fetches they move: each read fetches
 * its partition from where it starts, takes the fetched batches in its range, and stops the
 * partition's fetch once it ends (see the drivers' readers).
 */
export class PartitionReads {
  readonly #fetches: PartitionFetches;
  readonly #reads = new Map<string, ActiveRead>();

  constructor(fetches: PartitionFetches) {
    this.#fetches = fetches;
  }

  /**
   * The consumer joined its group with `assignment` (kafkajs): every partition is stopped but
   * those whose read waits for records, each moved back to where its read is.
   */
  afterJoin(assignment: ReadonlyMap<string, readonly number[]>): void {
    // The group's first fetch would start every partition at its earliest offset: only the
    // partitions whose read waits for records are left fetching, each moved back to where its
    // read is (a rejoin starts them from the beginning again, as nothing is committed). A read
    // whose chunk is with onRecords moves and resumes its partition when that is done.
    for (const [topic, partitions] of assignment) {
      for (const partition of partitions) {
        const read = this.#reads.get(partitionKey(topic, partition));
        if (read === undefined || read.delivering) {
          if (read !== undefined) {
            read.detached = true;
          }
          this.#fetches.stop(topic, partition);
        } else {
          this.#fetchFrom(topic, partition, read);
        }
      }
    }
  }

  /** The partition's read in progress, if any, fails with `error`. */
  fail(topic: string, partition: number, error: Error): void {
    const read = this.#reads.get(partitionKey(topic, partition));
    if (read !== undefined) {
      this.#finish(topic, partition, read, error);
    }
  }

  /** Every read in progress fails with `error`. */
  failAll(error: Error): void {
    const reads = [...this.#reads.values()];
    this.#reads.clear();
    for (const read of reads) {
      read.reject(error);
    }
  }

  /** Reads `from <= offset < until` of the partition, which no other read is reading. */
  read(
    topic: string,
    partition: number,
    from: bigint,
    until: bigint,
    onRecords: OnRecords,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
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

  /**
   * The batch handler: hands the batch's records in range to the partition's read, if any.
   * Resolves true when they were delivered in time: the driver's fetch of the partition may go on
   * past the batch (a finished read has stopped it already).
   */
  async onBatch<M extends { readonly offset: string | number }>(
    batch: FetchedBatch<M>,
  ): Promise<boolean> {
    const { topic, partition } = batch;
    const read = this.#reads.get(partitionKey(topic, partition));
    if (read === undefined) {
      // Fetched before its fetch stopped (the group's first fetch, a new partition after a
      // rejoin, a read that just ended).
      this.#fetches.stop(topic, partition);
      return false;
    }
    if (read.delivering || batch.isStale()) {
      return false;
    }
    read.delivering = true;
    const records: ConsumedRecord[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset >= read.next && offset < read.until) {
        records.push(batch.toRecord(message));
      }
    }
    const delivery = this.#deliver(topic, partition, read, records, batch.next);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      delivery,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, inlineDeliveryMilliseconds);
      }),
    ]);
    clearTimeout(timer);
    if (!read.delivering) {
      return true;
    }
    read.detached = true;
    this.#fetches.stop(topic, partition);
    return false;
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
   * Moves the partition's fetch to where the read is. The client refuses while its consumer is
   * down (between a crash and the crash event): the read then fails as the crash would fail it.
   */
  #fetchFrom(topic: string, partition: number, read: ActiveRead): void {
    try {
      this.#fetches.fetchFrom(topic, partition, read.next);
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

  /** Ends the read if it is still the partition's read (a crash or close may have ended it). */
  #finish(topic: string, partition: number, read: ActiveRead, error?: unknown): void {
    const key = partitionKey(topic, partition);
    if (this.#reads.get(key) !== read) {
      return;
    }
    this.#reads.delete(key);
    this.#fetches.stop(topic, partition);
    if (error === undefined) {
      read.resolve();
    } else {
      read.reject(error);
    }
  }
}

/**
 * A reader's reads taken in turn per partition, over a driver's `readInTurn`; offsets, the
 * start and the close are the driver's.
 */
export abstract class TurnTakingPartitionReader implements PartitionReader {
  readonly #topics: ReadonlySet<string>;
  /** The end of the last read queued for each partition: reads of one partition take turns. */
  readonly #turns = new Map<string, Promise<void>>();

  constructor(topics: readonly string[]) {
    this.#topics = new Set(topics);
  }

  abstract offsets(topic: string, partition: number): Promise<{ earliest: string; end: string }>;
  abstract offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<string>;
  abstract close(): Promise<void>;

  /** Reads `from <= offset < until` (not empty), once the partition's earlier reads are over. */
  protected abstract readInTurn(
    topic: string,
    partition: number,
    from: bigint,
    until: bigint,
    onRecords: OnRecords,
  ): Promise<void>;

  protected checkTopic(topic: string): void {
    if (!this.#topics.has(topic)) {
      throw new PartitionReadError(`"${topic}" is not one of the topics this reader reads`, {
        retriable: false,
      });
    }
  }

  read(
    topic: string,
    partition: number,
    from: string,
    until: string,
    onRecords: OnRecords,
  ): Promise<void> {
    this.checkTopic(topic);
    const start = BigInt(from);
    const end = BigInt(until);
    if (start >= end) {
      return Promise.resolve();
    }
    const key = partitionKey(topic, partition);
    const previous = this.#turns.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.readInTurn(topic, partition, start, end, onRecords));
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
}
