import { decodeCommitMetadata, type CommitMetadata, type Logger } from '@ricochet/core';
import type { CommittedOffsetReader } from '@ricochet/kafka';
import { PartitionCrashGuard } from './crash-guard.js';
import { DoneRecords, mergeOffsets } from './done-records.js';
import { isBefore } from './offsets.js';

/** What the owner of a partition knows of it across batches, from its committed offset on. */
export interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly guard: PartitionCrashGuard;
  /** The records done beyond the committed offset, not to be handled again. */
  done: DoneRecords;
  /** How many records are done beyond the first record not done, as of now. */
  gap: () => number;
}

/** The records done beyond the committed offset, as the commit's metadata lists them. */
function doneOf(
  metadata: CommitMetadata | undefined,
  committedOffset: string | undefined,
): readonly string[] {
  const done = metadata?.done;
  if (done === undefined || committedOffset === undefined) {
    return [];
  }
  // Anyone with group access can write metadata: only offsets past the committed one count.
  return done.filter((offset) => isBefore(committedOffset, offset));
}

/**
 * The crash guard of every partition this instance owns, each read from what the partition's
 * previous owner committed the first time this instance handles a batch of it, and the records
 * it recorded done beyond its committed offset (read again after every group join).
 */
export class CrashGuards {
  readonly #reader: CommittedOffsetReader;
  readonly #owner: string;
  readonly #maxCrashes: number;
  readonly #logger: Logger;
  readonly #owned = new Map<string, OwnedPartition>();
  /**
   * Partitions kept across a group join, whose done records are read again from what is
   * committed: a commit that failed in the rebalance left the group behind what this owner
   * settled, and the consumer resumes from the committed offset.
   */
  readonly #rejoined = new Set<string>();

  constructor(reader: CommittedOffsetReader, owner: string, maxCrashes: number, logger: Logger) {
    this.#reader = reader;
    this.#owner = owner;
    this.#maxCrashes = maxCrashes;
    this.#logger = logger;
  }

  /** The partition's guard when it is read and current (no read pending after a join), else undefined. */
  loaded(topic: string, partition: number): OwnedPartition | undefined {
    const key = `${partition}:${topic}`;
    return this.#rejoined.has(key) ? undefined : this.#owned.get(key);
  }

  async forPartition(topic: string, partition: number): Promise<OwnedPartition> {
    const key = `${partition}:${topic}`;
    const known = this.#owned.get(key);
    if (known !== undefined && !this.#rejoined.has(key)) {
      return known;
    }
    const committed = await this.#reader.read(topic, partition);
    const metadata = decodeCommitMetadata(committed.metadata);
    if (known !== undefined) {
      this.#rejoined.delete(key);
      // Done is a fact about a record, whoever did it: what is committed, and what this owner
      // still knew done beyond it.
      const committedOffset = committed.offset;
      const stillAhead = known.done
        .notReached()
        .filter((offset) => committedOffset === undefined || isBefore(committedOffset, offset));
      known.done = new DoneRecords(mergeOffsets(doneOf(metadata, committedOffset), stillAhead));
      return known;
    }
    const guard = PartitionCrashGuard.takeOver(
      this.#owner,
      this.#maxCrashes,
      committed.offset,
      metadata,
    );
    if (guard.careful) {
      this.#logger.warn(
        'the previous owner of the partition ended without a clean commit; handling its last records one commit at a time to find one that crashes the process',
        { topic, partition, committedOffset: committed.offset },
      );
    }
    const done = new DoneRecords(doneOf(metadata, committed.offset));
    const owned: OwnedPartition = {
      topic,
      partition,
      guard,
      done,
      gap: () => owned.done.notReached().length,
    };
    this.#owned.set(key, owned);
    return owned;
  }

  /** The partitions owned and handled since the last group join. */
  owned(): IterableIterator<OwnedPartition> {
    return this.#owned.values();
  }

  /** After a group join: partitions no longer owned may be handled by another owner meanwhile. */
  keepOnly(assignment: Readonly<Record<string, readonly number[]>>): void {
    const owned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => `${partition}:${topic}`),
      ),
    );
    for (const key of this.#owned.keys()) {
      if (owned.has(key)) {
        this.#rejoined.add(key);
      } else {
        this.#owned.delete(key);
        this.#rejoined.delete(key);
      }
    }
  }

  /** After a consumer crash: the member left the group, so every partition may have moved. */
  forgetAll(): void {
    this.#owned.clear();
    this.#rejoined.clear();
  }
}
