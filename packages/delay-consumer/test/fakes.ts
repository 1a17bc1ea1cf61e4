import type { Logger } from '@ricochet/core';
import type { PartitionControls } from '@ricochet/kafka';
import type { Clock, ClockTimer } from '@ricochet/delay-consumer/internal';

interface ManualTimer {
  readonly at: number;
  readonly onDue: () => void;
  cancelled: boolean;
}

/** A clock whose time moves only when a test moves it, firing the timers due on the way. */
export class ManualClock implements Clock {
  #now: number;
  #timers: ManualTimer[] = [];

  constructor(now: number) {
    this.#now = now;
  }

  now(): number {
    return this.#now;
  }

  setTimer(at: number, onDue: () => void): ClockTimer {
    const timer: ManualTimer = { at, onDue, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** The times of the timers set and neither fired nor cancelled, earliest first. */
  pendingTimers(): number[] {
    return this.#pending().map((timer) => timer.at);
  }

  /** Moves time to `to`, firing each timer due by then at its time, earliest first. */
  advanceTo(to: number): void {
    for (;;) {
      const next = this.#pending()[0];
      if (next === undefined || next.at > to) {
        break;
      }
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
    this.#now = Math.max(this.#now, to);
  }

  /** Fires the earliest timer `early` milliseconds before its time, as a Node timer may. */
  fireNextEarly(early: number): void {
    const next = this.#pending()[0];
    if (next === undefined) {
      throw new Error('no timer to fire');
    }
    this.#now = Math.max(this.#now, next.at - early);
    this.#fire(next);
  }

  #pending(): ManualTimer[] {
    this.#timers = this.#timers.filter((timer) => !timer.cancelled);
    return [...this.#timers].sort((a, b) => a.at - b.at);
  }

  #fire(timer: ManualTimer): void {
    timer.cancelled = true;
    timer.onDue();
  }
}

/** Partition controls that record what was asked of them, and keep which partitions are paused. */
export class RecordingControls implements PartitionControls {
  readonly calls: string[] = [];
  readonly #paused = new Map<string, Set<number>>();

  pause(topic: string, partition: number): void {
    this.calls.push(`pause ${topic}/${partition}`);
    this.#pausedOf(topic).add(partition);
  }

  resume(topic: string, partition: number): void {
    this.calls.push(`resume ${topic}/${partition}`);
    this.#pausedOf(topic).delete(partition);
  }

  seek(topic: string, partition: number, offset: string): void {
    this.calls.push(`seek ${topic}/${partition} ${offset}`);
  }

  pausedPartitions(topic: string): readonly number[] {
    return [...this.#pausedOf(topic)].sort((a, b) => a - b);
  }

  #pausedOf(topic: string): Set<number> {
    const paused = this.#paused.get(topic) ?? new Set<number>();
    this.#paused.set(topic, paused);
    return paused;
  }
}

/** A logger that keeps the warnings and errors, by message. */
export function recordingLogger(): Logger & { readonly problems: string[] } {
  const problems: string[] = [];
  const logger = {
    problems,
    error: (message: string) => problems.push(message),
    warn: (message: string) => problems.push(message),
    info: () => undefined,
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

/** A promise with its settling functions, for a fake call a test finishes when it chooses. */
export function deferred<Value = void>(): {
  promise: Promise<Value>;
  resolve: (value: Value) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: Value) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Value>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}

/** Lets every promise callback already queued run (the releaser's publish and commit chains). */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
