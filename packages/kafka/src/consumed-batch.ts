import type { ConsumedRecord } from '@ricochet/core';

/**
 * One fetched batch of one partition, as a service handles it: only what Ricochet's services
 * use of a client's batch. Commits are not here: they go through the service's lifecycle
 * (`ServiceLifecycle.commitBefore`), which commits with the consumer's current group session.
 *
 * What a driver must keep, and the main consumer relies on for bounded memory: a broker's
 * partitions are fetched again only once every batch of its last fetch has returned, so a batch
 * in hand holds back the next fetch of its broker.
 */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order; offsets may have gaps (compaction, transaction markers). */
  readonly records: readonly ConsumedRecord[];
  /** The offset after the partition's last record when the batch was fetched. */
  readonly highWatermark: string;
  /** Whether the batch's last record was the partition's last when it was fetched. */
  readonly readToEnd: boolean;
  /**
   * Marks the records through `offset` handed on: the partition's next fetch after this batch
   * starts past it (after a group join, the fetch starts at the committed offset: the client
   * tracks resolved offsets per join). Commits nothing.
   */
  resolve(offset: string): void;
  /** Sends the group heartbeat if its interval has passed; rejects when the member must rejoin. */
  heartbeat(): Promise<void>;
  /**
   * False once the service is stopping or the partition was sought (its next fetch starts
   * elsewhere): the rest of the batch must be left alone, it will be read again.
   */
  isCurrent(): boolean;
}

/** Pausing, resuming and moving the fetch of the partitions a service consumes. */
export interface PartitionControls {
  /** Stops fetching the partition until `resume`; the group membership is kept alive. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** The partition's next fetch starts at `offset`; a batch of it in hand is no longer current. */
  seek(topic: string, partition: number, offset: string): void;
  /** The topic's partitions paused now (the client keeps pauses across rebalances). */
  pausedPartitions(topic: string): readonly number[];
}
