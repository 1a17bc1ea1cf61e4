/** The reads in progress of a partition reader: each fed from its partition's fetched batches. */
import type kafkajs from 'kafkajs';
import type { ConsumedRecord } from '@ricochet/core';
import { PartitionReadError } from './partition-reader.js';
import { toConsumedRecord } from './records.js';

/**
 * How long the batch handler waits for onRecords. A quick onRecords (loading state into memory)
 * keeps the client's fetch going from batch to batch; a slower one is detached from the handler
 * and its partition paused (see createPartitionReader), which costs up to a fetch wait per chunk.
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

/** A partition's name in the maps of reads. */
export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/**
 * The reads in progress, one a partition at most, and the consumer they move: each read seeks
 * its partition and resumes it, takes the fetched batches in its range, and pauses it again once
 * it ends (see createPartitionReader).
 */
export class PartitionReads {
  readonly #consumer: kafkajs.Consumer;
  readonly #reads = new Map<string, ActiveRead>();

  constructor(consumer: kafkajs.Consumer) {
    this.#consumer = consumer;
  }

  /**
   * The consumer joined its group with `assignment`: every partition is paused but those whose
   * read waits for records, each moved back to where its read is.
   */
  afterJoin(assignment: ReadonlyMap<string, readonly number[]>): void {
    // The group's first fetch would start every partition at its earliest offset: only the
    // partitions whose read waits for records are left unpaused, each moved back to where its
    // read is (a rejoin starts them from the beginning again, as nothing is committed). A read
    // whose chunk is with onRecords moves and resumes its partition when that is done.
    const paused: Array<{ topic: string; partitions: number[] }> = [];
    for (const [topic, partitions] of assignment) {
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

  /** The batch handler: hands the batch's records in range to the partition's read, if any. */
  async onBatch({ batch, isStale, resolveOffset }: kafkajs.EachBatchPayload): Promise<void> {
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
}
