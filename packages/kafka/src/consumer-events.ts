import type kafkajs from 'kafkajs';

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
 * Runs `eachBatch` on a payload that notes what it resolves and reports refused commits, then
 * reports the batch. Services resolve and commit only through the payload (see `commitThrough`),
 * so this sees every record handed on and every commit, in one place for all three roles.
 */
export async function observeBatch(
  payload: kafkajs.EachBatchPayload,
  eachBatch: (payload: kafkajs.EachBatchPayload) => Promise<void>,
  report: (event: BatchConsumed | CommitFailed) => void,
): Promise<void> {
  const { topic, partition } = payload.batch;
  let lastResolved: string | undefined;
  const observed: kafkajs.EachBatchPayload = {
    ...payload,
    resolveOffset(offset) {
      payload.resolveOffset(offset);
      if (lastResolved === undefined || offsetIsAfter(offset, lastResolved)) {
        lastResolved = offset;
      }
    },
    async commitOffsetsIfNecessary(offsets) {
      try {
        await payload.commitOffsetsIfNecessary(offsets);
      } catch (error) {
        report({ type: 'commit-failed', topic, partition, error });
        throw error;
      }
    },
  };
  try {
    await eachBatch(observed);
  } finally {
    // Also after a failed batch: what was resolved before the failure was handed on.
    report(batchConsumed(payload.batch, lastResolved));
  }
}

/**
 * Offsets as kafkajs gives them: decimal, no sign, no leading zeros; so a longer one is larger,
 * and one of equal length compares as text. Called for every record, where a BigInt is not free.
 */
function offsetIsAfter(offset: string, other: string): boolean {
  return offset.length !== other.length ? offset.length > other.length : offset > other;
}

/** How many of the batch's records (in offset order) are at or before `offset`. */
function countThrough(messages: readonly kafkajs.KafkaMessage[], offset: string): number {
  // From the end: a batch is usually handed on whole.
  let count = messages.length;
  while (count > 0 && offsetIsAfter(messages[count - 1]!.offset, offset)) {
    count -= 1;
  }
  return count;
}

function batchConsumed(batch: kafkajs.Batch, lastResolved: string | undefined): BatchConsumed {
  const { topic, partition, messages } = batch;
  const first = messages[0]?.offset;
  // Kafka's own definition: the high watermark minus the position, the next offset to consume.
  const position =
    lastResolved !== undefined
      ? BigInt(lastResolved) + 1n
      : first !== undefined
        ? BigInt(first)
        : BigInt(batch.highWatermark);
  const lag = BigInt(batch.highWatermark) - position;
  return {
    type: 'consumed',
    topic,
    partition,
    // Counted, not subtracted: offsets have gaps (compaction, transaction markers).
    records: lastResolved === undefined ? 0 : countThrough(messages, lastResolved),
    lag: lag > 0n ? Number(lag) : 0,
  };
}
