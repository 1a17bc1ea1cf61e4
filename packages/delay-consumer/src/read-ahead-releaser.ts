import type { Logger } from '@ricochet/core';
import type { Clock, ClockTimer } from './clock.js';
import { earliestDueAt, PartitionReadAhead, takeDueAcross } from './read-ahead-buffer.js';

/** What the releaser asks of the consumer it releases for. */
export interface ReleaseHandlers<Item> {
  /** Resolves once every item is acknowledged; rejects when none may be counted sent. */
  publish(items: readonly Item[]): Promise<void>;
  /** A failed publish: the partition must be read again from `offset`, its first record not acknowledged. */
  rewind(partition: number, offset: string): void;
  /** Records were acknowledged, so the read-ahead has room again. */
  released(): void;
  /** Commits the partition through `offset`, without moving where its next fetch starts. */
  commit(partition: number, offset: string): Promise<void>;
}

/** One partition's read-ahead for as long as it is owned here, and its commits under way. */
export interface OwnedPartition<Item> {
  readonly buffer: PartitionReadAhead<Item>;
  commits: Promise<void>;
}

/**
 * Releases the records read ahead of every owned partition at their due-at, without waiting
 * for the consumer's next fetch: one timer for the earliest head record, then one publish for
 * everything due across partitions, then a commit per partition through what was acknowledged.
 * A partition's state lives as long as it is owned: when it is dropped (rebalance, crash,
 * failed publish), a publish or commit still under way for it is no longer counted, and its
 * records are read again from the committed offset (at least once, never lost).
 */
export class ReadAheadReleaser<Item> {
  readonly #handlers: ReleaseHandlers<Item>;
  readonly #logger: Logger;
  readonly #maxPerPublish: number;
  readonly #clock: Clock;
  readonly #partitions = new Map<number, OwnedPartition<Item>>();
  /** Every partition's commits not yet done, a dropped partition's included: close waits for them. */
  readonly #commitsUnderWay = new Set<Promise<void>>();
  #timer: { readonly timer: ClockTimer; readonly at: number } | undefined;
  #releasing: Promise<void> | undefined;
  #closed = false;

  constructor(
    handlers: ReleaseHandlers<Item>,
    logger: Logger,
    maxPerPublish: number,
    clock: Clock,
  ) {
    this.#handlers = handlers;
    this.#logger = logger;
    this.#maxPerPublish = maxPerPublish;
    this.#clock = clock;
  }

  /**
   * The partition's state for a batch starting at `firstOffset`: a new one when first read, or
   * when the fetch went back before its last record.
   */
  partition(partition: number, firstOffset: string): OwnedPartition<Item> {
    const current = this.#partitions.get(partition);
    const owned =
      current !== undefined && current.buffer.follows(firstOffset)
        ? current
        : { buffer: new PartitionReadAhead<Item>(), commits: Promise.resolve() };
    this.#partitions.set(partition, owned);
    return owned;
  }

  /** Whether `owned` is still the partition's current state (not dropped since). */
  owns(partition: number, owned: OwnedPartition<Item>): boolean {
    return this.#partitions.get(partition) === owned;
  }

  /**
   * Whether `owned` may take a record of `bytes` with at most `limit` bytes read ahead, all
   * partitions together. A partition with nothing read ahead always may: a record larger than
   * the limit still moves, and the other partitions cannot crowd one out for good.
   */
  hasRoomFor(owned: OwnedPartition<Item>, bytes: number, limit: number): boolean {
    if (owned.buffer.bytes === 0) {
      return true;
    }
    let total = bytes;
    for (const { buffer } of this.#partitions.values()) {
      total += buffer.bytes;
    }
    return total <= limit;
  }

  /** Partitions with records waiting in memory. */
  partitionsWithRecords(): number[] {
    return [...this.#partitions].filter(([, owned]) => !owned.buffer.isEmpty).map(([p]) => p);
  }

  /** Drops every partition's records: after a rebalance or crash they are read again. */
  dropAll(): void {
    this.#partitions.clear();
    this.schedule();
  }

  /** No more releases; resolves once the publish and commits under way are done. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    await this.#releasing;
    await Promise.all(this.#commitsUnderWay);
  }

  /** Arms the timer for the earliest record waiting (call after adding records). */
  schedule(): void {
    if (this.#closed || this.#releasing !== undefined) {
      return;
    }
    const at = earliestDueAt([...this.#partitions.values()].map((owned) => owned.buffer));
    if (at === this.#timer?.at) {
      return;
    }
    this.#clearTimer();
    if (at === undefined) {
      return;
    }
    const timer = this.#clock.setTimer(at, () => {
      this.#timer = undefined;
      this.#releasing = this.#releaseDue()
        .catch((error: unknown) => {
          // Only a client call refused outright gets here; publish failures are handled above.
          this.#logger.error('releasing records read ahead failed', { error });
        })
        .finally(() => {
          this.#releasing = undefined;
          this.schedule();
        });
    });
    this.#timer = { timer, at };
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#timer.timer.cancel();
      this.#timer = undefined;
    }
  }

  /** Publishes what is due until nothing is; records due during a publish go in the next one. */
  async #releaseDue(): Promise<void> {
    while (!this.#closed) {
      // Checked again here, not trusted to the timer: a timer may fire a millisecond early.
      const taken = takeDueAcross(
        [...this.#partitions].map(
          ([partition, owned]) => [{ partition, owned }, owned.buffer] as const,
        ),
        this.#clock.now(),
        this.#maxPerPublish,
      );
      if (taken.length === 0) {
        return;
      }
      try {
        await this.#handlers.publish(taken.flatMap(({ entries }) => entries.map((e) => e.item)));
      } catch (error) {
        this.#logger.error('publishing released records failed; reading them again', {
          partitions: taken.map(({ key }) => key.partition),
          error,
        });
        for (const { key } of taken) {
          this.#rewind(key.partition, key.owned);
        }
        continue;
      }
      let releasedAny = false;
      for (const { key } of taken) {
        const { partition, owned } = key;
        if (this.owns(partition, owned)) {
          this.#commit(partition, owned, owned.buffer.acknowledge());
          releasedAny = true;
        }
      }
      if (releasedAny) {
        this.#handlers.released();
      }
    }
  }

  #rewind(partition: number, owned: OwnedPartition<Item>): void {
    const offset = owned.buffer.firstOffset();
    if (!this.owns(partition, owned) || offset === undefined) {
      return;
    }
    // A batch of this partition still being read holds the old state: it stops adding to it.
    this.#partitions.delete(partition);
    this.#handlers.rewind(partition, offset);
  }

  /** Commits in order per partition; a commit made after the partition was dropped is skipped. */
  #commit(partition: number, owned: OwnedPartition<Item>, through: string | undefined): void {
    if (through === undefined) {
      return;
    }
    const commit = owned.commits.then(async () => {
      if (!this.owns(partition, owned)) {
        return;
      }
      try {
        await this.#handlers.commit(partition, through);
      } catch (error) {
        // Reported as a commit failure by the consumer; the partition's next commit covers it.
        this.#logger.warn('committing released records failed', { partition, through, error });
      }
    });
    owned.commits = commit;
    this.#commitsUnderWay.add(commit);
    void commit.finally(() => this.#commitsUnderWay.delete(commit));
  }
}
