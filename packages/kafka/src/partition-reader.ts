/** The partition reader's port: what a reader does, its options and its errors. */
import { RicochetError, type ConsumedRecord } from '@ricochet/core';

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
