import type { ConsumedRecord } from '@ricochet/core';
import type { ConsumedBatch } from './consumed-batch.js';

/** The group (re)joined: after every rebalance, the partitions this member now owns, by topic. */
export interface PartitionsAssigned {
  readonly type: 'assigned';
  readonly groupId: string;
  readonly partitions: Readonly<Record<string, readonly number[]>>;
}

/**
 * A batch was handled: `records` of it were handed on (resolved), and `lag` records remain
 * between the next one to hand on and the partition's high watermark.
 */
export interface BatchConsumed {
  readonly type: 'consumed';
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
  readonly lag: number;
}

/** A commit was refused; the error is rethrown to the service, which restarts from the last commit. */
export interface CommitFailed {
  readonly type: 'commit-failed';
  readonly topic: string;
  readonly partition: number;
  readonly error: unknown;
}

/**
 * A publish failed (after the client's own retries); the publisher retires its producer and the
 * records are published again (see ReliablePublisher).
 */
export interface PublishFailed {
  readonly type: 'publish-failed';
  readonly error: unknown;
}

/** What every consumer service reports about its consumption, whatever its role. */
export type ConsumerEvent = PartitionsAssigned | BatchConsumed | CommitFailed | PublishFailed;

/**
 * Runs `eachBatch` on a batch that notes what it resolves, then reports the batch. Services
 * resolve only through the batch, so this sees every record handed on, in one place for all
 * three roles.
 */
export async function observeBatch(
  batch: ConsumedBatch,
  eachBatch: (batch: ConsumedBatch) => Promise<void>,
  report: (event: BatchConsumed) => void,
): Promise<void> {
  let lastResolved: string | undefined;
  const observed: ConsumedBatch = {
    ...batch,
    resolve(offset) {
      batch.resolve(offset);
      if (lastResolved === undefined || offsetIsAfter(offset, lastResolved)) {
        lastResolved = offset;
      }
    },
  };
  try {
    await eachBatch(observed);
  } finally {
    // Also after a failed batch: what was resolved before the failure was handed on.
    report(batchConsumed(batch, lastResolved));
  }
}

/**
 * Offsets as the client gives them: decimal, no sign, no leading zeros; so a longer one is
 * larger, and one of equal length compares as text. Called for every record, where a BigInt is
 * not free.
 */
function offsetIsAfter(offset: string, other: string): boolean {
  return offset.length !== other.length ? offset.length > other.length : offset > other;
}

/** How many of the batch's records (in offset order) are at or before `offset`. */
function countThrough(records: readonly ConsumedRecord[], offset: string): number {
  // From the end: a batch is usually handed on whole.
  let count = records.length;
  while (count > 0 && offsetIsAfter(records[count - 1]!.offset, offset)) {
    count -= 1;
  }
  return count;
}

function batchConsumed(batch: ConsumedBatch, lastResolved: string | undefined): BatchConsumed {
  const { topic, partition, records, highWatermark } = batch;
  const first = records[0]?.offset;
  // Kafka's own definition: the high watermark minus the position, the next offset to consume.
  const position =
    lastResolved !== undefined
      ? BigInt(lastResolved) + 1n
      : first !== undefined
        ? BigInt(first)
        : BigInt(highWatermark);
  const lag = BigInt(highWatermark) - position;
  return {
    type: 'consumed',
    topic,
    partition,
    // Counted, not subtracted: offsets have gaps (compaction, transaction markers).
    records: lastResolved === undefined ? 0 : countThrough(records, lastResolved),
    lag: lag > 0n ? Number(lag) : 0,
  };
}
