import { RicochetError } from '@ricochet/core';
import type { ConsumedBatch, PartitionControls } from './consumed-batch.js';

/** How a service's consumer joins its group and fetches, in Ricochet's names. */
export interface ServiceConsumerOptions {
  readonly groupId: string;
  readonly sessionTimeoutMilliseconds: number;
  /** How long the broker may hold a fetch open waiting for records; the client's default when unset. */
  readonly maxWaitMilliseconds?: number;
  /** The most bytes one fetch returns per partition; the client's default when unset. */
  readonly maxBytesPerPartition?: number;
  /**
   * How many times the client retries a failed batch or group join before the consumer crashes
   * (and is restarted); the client's default when unset.
   */
  readonly retries?: number;
}

/** What a service consumes, and the handler of each fetched batch. */
export interface Subscription {
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly partitionsConsumedConcurrently?: number;
  readonly eachBatch: (batch: ConsumedBatch) => Promise<void>;
}

/** The consumer is not in a group session it could commit with (not started, or crashed). */
export class NoGroupSessionError extends RicochetError {
  constructor() {
    // Retriable: the restarted consumer joins again, and the partition's next commit covers it.
    super('the consumer has no group session to commit with (not started, or restarting)', {
      code: 'NO_GROUP_SESSION',
      retriable: true,
    });
  }
}

/**
 * A service's consumer, as either driver implements it. Commits are always manual and nothing
 * is resolved on the service's behalf: a service resolves and commits only what it handed on.
 */
export interface ServiceConsumer extends PartitionControls {
  /** Called after every group join with the partitions this member now owns, by topic. */
  onGroupJoin(listener: (groupId: string, assignment: Record<string, number[]>) => void): void;
  /**
   * Called when the group starts rebalancing and this member is about to join again: its
   * batches have ended, and the partitions it owned are given out only once it joined. Also
   * called when a commit is refused because the member is no longer in the group's generation
   * (evicted: the partitions may already be owned by another member).
   */
  onRebalancing(listener: () => void): void;
  /** Called when the consumer crashed; `restart` says whether the driver restarts it. */
  onCrash(listener: (error: Error, restart: boolean) => void): void;
  /**
   * Connects, subscribes and starts fetching. Once `stopped` is aborted it goes no further: a
   * consumer connected after its service stopped must not join the group.
   */
  start(subscription: Subscription, stopped?: AbortSignal): Promise<void>;
  /** Commits the partition so that its group resumes at `offset`, with `metadata` when given. */
  commit(topic: string, partition: number, offset: string, metadata?: string): Promise<void>;
  /** Leaves the group once the batches in hand are done, and disconnects. */
  disconnect(): Promise<void>;
}

/** The coordinator's refusals that mean this member is no longer in the group's generation. */
const outOfGenerationErrors: ReadonlySet<string> = new Set([
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

/** Whether a refused commit says the member left the group's generation, in either driver's error. */
export function isOutOfGeneration(error: unknown): boolean {
  // A client may wrap the coordinator's error (retries exhausted): its cause then says it.
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && outOfGenerationErrors.has(type)) {
      return true;
    }
  }
  return false;
}
