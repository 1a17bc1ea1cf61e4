import type { Logger } from '@ricochet/core';
import type { PartitionControls } from '@ricochet/kafka';
import type { Clock, ClockTimer } from './clock.js';

/** Why a partition is paused, and what resumes it. */
type Hold =
  /** A record due beyond the read-ahead: a timer resumes the partition when it is nearly due. */
  | { readonly reason: 'until-nearly-due'; readonly timer: ClockTimer }
  /** The read-ahead is full: a release of some of its records resumes the partition. */
  | { readonly reason: 'for-room' };

/** A partition paused at its first record not read ahead. */
export interface HeldPartition {
  readonly partition: number;
  readonly offset: string;
  readonly dueAt: number;
}

export interface PartitionHoldingOptions {
  /** The tier topic whose partitions are held. */
  readonly topic: string;
  readonly controls: PartitionControls;
  readonly readAheadMilliseconds: number;
  readonly clock: Clock;
  /** Whether the consumer still fetches: a hold ending once it stops or fails resumes nothing. */
  isRunning(): boolean;
  onHeld(held: HeldPartition): void;
  readonly logger: Logger;
}

/**
 * Which partitions of a delay tier are paused and why, and what resumes them: the only place
 * that pauses, resumes or seeks a tier's partitions. A hold lives as long as the partition's
 * assignment: a group join or a crash ends every hold, and the partition is read again from its
 * committed offset.
 */
export class PartitionHolding {
  readonly #options: PartitionHoldingOptions;
  readonly #holds = new Map<number, Hold>();
  #stopped = false;

  constructor(options: PartitionHoldingOptions) {
    this.#options = options;
  }

  /** Partitions paused now by a hold. */
  heldPartitions(): number[] {
    return [...this.#holds.keys()];
  }

  /**
   * Pauses the partition at `offset`, its first record not read ahead, due at `dueAt` beyond
   * the read-ahead. It resumes when that record is half the read-ahead from due, so that each
   * resume reads about half a read-ahead of records.
   */
  holdUntilNearlyDue(partition: number, offset: string, dueAt: number): void {
    const held = { partition, offset, dueAt };
    if (this.#stopped) {
      this.#hold(partition, undefined, held);
      return;
    }
    const resumeAt = dueAt - this.#options.readAheadMilliseconds / 2;
    const timer = this.#options.clock.setTimer(resumeAt, () => this.#resume(partition));
    this.#hold(partition, { reason: 'until-nearly-due', timer }, held);
  }

  /**
   * Pauses the partition at `offset`, a record the full read-ahead has no room for. The
   * partition has records read ahead, so a release (see `released`) or a group join comes to
   * resume it.
   */
  holdForRoom(partition: number, offset: string, dueAt: number): void {
    this.#hold(partition, this.#stopped ? undefined : { reason: 'for-room' }, {
      partition,
      offset,
      dueAt,
    });
  }

  /**
   * Records read ahead were acknowledged: every partition held for room resumes, whichever
   * partitions the records were of (the read-ahead's bytes are one budget for all of them).
   */
  released(): void {
    for (const [partition, hold] of [...this.#holds]) {
      if (hold.reason === 'for-room') {
        this.#resume(partition);
      }
    }
  }

  /**
   * A publish failed: nothing of it is committed, and the partition is read again from
   * `offset`, its first record not acknowledged, whatever held it. The seek also marks a batch
   * of it still being read stale.
   */
  rewind(partition: number, offset: string): void {
    this.#end(partition);
    this.#options.controls.seek(this.#options.topic, partition, offset);
    this.#resume(partition);
  }

  /**
   * After a group join the client reads every partition again from its committed offset, so
   * every hold ends and every pause is cleared: the client keeps a partition's paused state
   * across rebalances, and a hold's timer no longer matches where the partition is read from.
   * (Spring Kafka's GH-2222 and GH-2525 are the same trap.)
   */
  reassigned(): void {
    this.forget();
    const { controls, topic } = this.#options;
    for (const partition of controls.pausedPartitions(topic)) {
      controls.resume(topic, partition);
    }
  }

  /** Ends every hold without resuming: the partitions are gone with a crash. */
  forget(): void {
    for (const partition of [...this.#holds.keys()]) {
      this.#end(partition);
    }
  }

  /**
   * The consumer is stopping: every hold ends without resuming, and a hold made from now on (by
   * a batch read while the stop waits) only pauses. Nothing resumes a stopped consumer's
   * partitions, and a timer would keep the process alive until the record is nearly due.
   */
  stop(): void {
    this.#stopped = true;
    this.forget();
  }

  /** Pauses the partition; `hold` is what resumes it, none once stopping. */
  #hold(partition: number, hold: Hold | undefined, held: HeldPartition): void {
    this.#end(partition);
    this.#options.controls.pause(this.#options.topic, partition);
    if (hold !== undefined) {
      this.#holds.set(partition, hold);
    }
    this.#options.onHeld(held);
    this.#options.logger.debug('holding partition', { ...held, reason: hold?.reason });
  }

  #resume(partition: number): void {
    this.#end(partition);
    if (this.#options.isRunning()) {
      this.#options.controls.resume(this.#options.topic, partition);
    }
  }

  #end(partition: number): void {
    const hold = this.#holds.get(partition);
    if (hold?.reason === 'until-nearly-due') {
      hold.timer.cancel();
    }
    this.#holds.delete(partition);
  }
}
