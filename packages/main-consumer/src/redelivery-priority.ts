import { minimumSourceTurnMilliseconds, redeliveryPriorityMilliseconds } from './defaults.js';

/** What to do with the source partitions after a decision. */
export type SourceChange = 'pause' | 'resume' | 'none';

/**
 * When the source partitions give way to the group's redelivery topic (`redelivery: 'group'`),
 * decided without I/O. A redelivery partition is behind when retries wait there beyond what was
 * fetched of it (its end offset is past the consumer's position, or a batch of it was fetched
 * short of its end). While one is behind, the source partitions are paused, and the source
 * batches in hand start no more records, so that the next fetch brings retries only; they resume
 * once no redelivery partition is behind, or after `boundMilliseconds`. After a pause the source
 * runs at least as long as the pause lasted, and at least `minimumTurnMilliseconds`, before it may
 * be paused again: a flood of retries cannot take more than half of the time from the source.
 * Records of the redelivery topic also take free handler slots ahead of source records
 * (InFlightSlots).
 */
export class RedeliveryPriority {
  readonly #boundMilliseconds: number;
  readonly #minimumTurnMilliseconds: number;
  /** Redelivery partitions with retries beyond what was fetched of them. */
  readonly #behind = new Set<number>();
  /** When the source was paused; undefined while it runs. */
  #pausedAt: number | undefined;
  /** The source is not paused again before this. */
  #runsUntil = Number.NEGATIVE_INFINITY;

  constructor(
    boundMilliseconds: number = redeliveryPriorityMilliseconds,
    minimumTurnMilliseconds: number = minimumSourceTurnMilliseconds,
  ) {
    this.#boundMilliseconds = boundMilliseconds;
    this.#minimumTurnMilliseconds = minimumTurnMilliseconds;
  }

  /** Whether the source gives way now: its partitions paused, its batches in hand ending. */
  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** When the pause under way ends at the latest, on the clock `now` was given on. */
  pauseEndsAt(): number | undefined {
    return this.#pausedAt === undefined ? undefined : this.#pausedAt + this.#boundMilliseconds;
  }

  /** Redelivery partition `partition` was seen `behind` (or not) at `now`. */
  observed(partition: number, behind: boolean, now: number): SourceChange {
    if (behind) {
      this.#behind.add(partition);
    } else {
      this.#behind.delete(partition);
    }
    if (this.#behind.size === 0) {
      return this.#resume(now);
    }
    if (this.#pausedAt === undefined && now >= this.#runsUntil) {
      this.#pausedAt = now;
      return 'pause';
    }
    return 'none';
  }

  /** The clock moved on: a pause as long as the bound ends. */
  expire(now: number): SourceChange {
    if (this.#pausedAt === undefined || now - this.#pausedAt < this.#boundMilliseconds) {
      return 'none';
    }
    return this.#resume(now);
  }

  /** The assignment changed or the consumer restarts: nothing is known to wait any more. */
  reset(): SourceChange {
    this.#behind.clear();
    this.#runsUntil = Number.NEGATIVE_INFINITY;
    if (this.#pausedAt === undefined) {
      return 'none';
    }
    this.#pausedAt = undefined;
    return 'resume';
  }

  #resume(now: number): SourceChange {
    if (this.#pausedAt === undefined) {
      return 'none';
    }
    this.#runsUntil = now + Math.max(now - this.#pausedAt, this.#minimumTurnMilliseconds);
    this.#pausedAt = undefined;
    return 'resume';
  }
}
