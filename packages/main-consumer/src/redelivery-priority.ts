import { redeliveryPriorityMilliseconds } from './defaults.js';

/** What to do with the source partitions after a decision. */
export type SourceChange = 'pause' | 'resume' | 'none';

/**
 * When the source partitions give way to the group's redelivery topic (`redelivery: 'group'`),
 * decided without I/O. A redelivery batch fetched short of its partition's end (more retries wait
 * behind it) pauses the source partitions, so that the next fetches bring retries only; they
 * resume once every such redelivery partition was read to its end, or once they have been paused
 * for `boundMilliseconds`. After a pause cut short by the bound, the source runs at least
 * `boundMilliseconds` before it is paused again, so a flood of retries cannot starve it. Records
 * of the redelivery topic also take free handler slots ahead of source records (InFlightSlots):
 * together a retry waits for at most the source records fetched before it, not the backlog.
 */
export class RedeliveryPriority {
  readonly #boundMilliseconds: number;
  /** Redelivery partitions whose last batch was fetched short of the partition's end. */
  readonly #behind = new Set<number>();
  /** When the source was paused; undefined while it runs. */
  #pausedAt: number | undefined;
  /** The source is not paused again before this (after a pause that the bound ended). */
  #runsUntil = Number.NEGATIVE_INFINITY;

  constructor(boundMilliseconds: number = redeliveryPriorityMilliseconds) {
    this.#boundMilliseconds = boundMilliseconds;
  }

  get paused(): boolean {
    return this.#pausedAt !== undefined;
  }

  /** When a pause taken now must end at the latest (epoch ms as `now` was given). */
  pauseEndsAt(): number | undefined {
    return this.#pausedAt === undefined ? undefined : this.#pausedAt + this.#boundMilliseconds;
  }

  /** A batch of redelivery partition `partition` is in hand; `readToEnd` as ConsumedBatch says. */
  redeliveryBatch(partition: number, readToEnd: boolean, now: number): SourceChange {
    if (readToEnd) {
      this.#behind.delete(partition);
    } else {
      this.#behind.add(partition);
    }
    if (this.#behind.size === 0) {
      return this.#resume();
    }
    if (this.#pausedAt === undefined && now >= this.#runsUntil) {
      this.#pausedAt = now;
      return 'pause';
    }
    return 'none';
  }

  /** The clock moved on: a pause as long as the bound ends, and the source runs as long. */
  expire(now: number): SourceChange {
    if (this.#pausedAt === undefined || now - this.#pausedAt < this.#boundMilliseconds) {
      return 'none';
    }
    this.#runsUntil = now + this.#boundMilliseconds;
    return this.#resume();
  }

  /** The assignment changed or the consumer restarts: nothing is known to wait any more. */
  reset(): SourceChange {
    this.#behind.clear();
    this.#runsUntil = Number.NEGATIVE_INFINITY;
    return this.#resume();
  }

  #resume(): SourceChange {
    if (this.#pausedAt === undefined) {
      return 'none';
    }
    this.#pausedAt = undefined;
    return 'resume';
  }
}
