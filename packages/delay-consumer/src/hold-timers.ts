import { maxTimerMilliseconds } from '@ricochet/core';

/**
 * One timer per held partition: when it fires, the partition is resumed. Timers live only as
 * long as the partition is assigned here; the held records themselves stay in Kafka.
 */
export class HoldTimers {
  readonly #timers = new Map<number, { timer: NodeJS.Timeout; dueAt: number }>();

  /**
   * Replaces any earlier timer of the partition. A timer longer than Node takes would fire at
   * once, so a `dueAt` further away than that is waited for in steps.
   */
  schedule(partition: number, dueAt: number, onDue: () => void): void {
    this.cancel(partition);
    const delay = Math.max(0, dueAt - Date.now());
    const timer = setTimeout(
      () => {
        this.#timers.delete(partition);
        if (delay > maxTimerMilliseconds) {
          this.schedule(partition, dueAt, onDue);
        } else {
          onDue();
        }
      },
      Math.min(delay, maxTimerMilliseconds),
    );
    this.#timers.set(partition, { timer, dueAt });
  }

  cancel(partition: number): boolean {
    const held = this.#timers.get(partition);
    if (held === undefined) {
      return false;
    }
    clearTimeout(held.timer);
    this.#timers.delete(partition);
    return true;
  }

  cancelAll(): void {
    for (const partition of [...this.#timers.keys()]) {
      this.cancel(partition);
    }
  }

  has(partition: number): boolean {
    return this.#timers.has(partition);
  }

  heldPartitions(): number[] {
    return [...this.#timers.keys()];
  }

  get size(): number {
    return this.#timers.size;
  }
}
