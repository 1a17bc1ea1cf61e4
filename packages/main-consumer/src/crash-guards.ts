import { decodeCommitMetadata, type Logger } from '@ricochet/core';
import type { CommittedOffsetReader } from '@ricochet/kafka';
import { PartitionCrashGuard } from './crash-guard.js';

/**
 * The crash guard of every partition this instance owns, each read from what the partition's
 * previous owner committed the first time this instance handles a batch of it.
 */
export class CrashGuards {
  readonly #reader: CommittedOffsetReader;
  readonly #owner: string;
  readonly #maxCrashes: number;
  readonly #logger: Logger;
  readonly #guards = new Map<string, PartitionCrashGuard>();

  constructor(reader: CommittedOffsetReader, owner: string, maxCrashes: number, logger: Logger) {
    this.#reader = reader;
    this.#owner = owner;
    this.#maxCrashes = maxCrashes;
    this.#logger = logger;
  }

  async forPartition(topic: string, partition: number): Promise<PartitionCrashGuard> {
    const key = `${partition}:${topic}`;
    const known = this.#guards.get(key);
    if (known !== undefined) {
      return known;
    }
    const committed = await this.#reader.read(topic, partition);
    const guard = PartitionCrashGuard.takeOver(
      this.#owner,
      this.#maxCrashes,
      committed.offset,
      decodeCommitMetadata(committed.metadata),
    );
    if (guard.careful) {
      this.#logger.warn(
        'the previous owner of the partition ended without a clean commit; handling its last records one commit at a time to find one that crashes the process',
        { topic, partition, committedOffset: committed.offset },
      );
    }
    this.#guards.set(key, guard);
    return guard;
  }

  /** After a group join: partitions no longer owned may be handled by another owner meanwhile. */
  keepOnly(assignment: Readonly<Record<string, readonly number[]>>): void {
    const owned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => `${partition}:${topic}`),
      ),
    );
    for (const key of this.#guards.keys()) {
      if (!owned.has(key)) {
        this.#guards.delete(key);
      }
    }
  }

  /** After a consumer crash: the member left the group, so every partition may have moved. */
  forgetAll(): void {
    this.#guards.clear();
  }
}
