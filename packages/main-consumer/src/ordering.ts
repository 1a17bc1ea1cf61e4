import type { ConsumedRecord } from '@ricochet/core';
import type { Ordering } from './defaults.js';

/** The lane of every null-key record of a partition in `key` ordering. */
const nullKeyLane = Symbol('null key');

/** The one lane of a partition in `partition` ordering. */
const partitionLane = Symbol('partition');

type Lane = string | symbol;

/**
 * Which of one partition's records may start now under an ordering mode. Records come to it in
 * offset order; a record whose lane (its key, its partition) holds an earlier record still
 * running or waiting queues behind it and is given back, in offset order, when the lane frees.
 * It is pure: the caller starts the records and says when each is finished.
 *
 * A record handled synchronously never makes its lane busy, so while nothing is running the
 * lane is not even computed: the no-op path costs no allocation.
 */
export class OrderingLanes<T extends { readonly record: ConsumedRecord }> {
  readonly #ordering: Ordering;
  /** Busy lanes and the records waiting in each, in offset order (an empty queue: just busy). */
  readonly #busy = new Map<Lane, T[]>();

  constructor(ordering: Ordering) {
    this.#ordering = ordering;
  }

  /** Whether any record is running or waiting. */
  get idle(): boolean {
    return this.#busy.size === 0;
  }

  /** Whether `record` may start now: no earlier record of its lane is running or waiting. */
  mayStart(record: ConsumedRecord): boolean {
    if (this.#busy.size === 0 || this.#ordering === 'unordered') {
      return true;
    }
    return !this.#busy.has(this.#laneOf(record));
  }

  /** `record` started and did not finish synchronously: its lane is busy until `finished`. */
  running(record: ConsumedRecord): void {
    if (this.#ordering !== 'unordered') {
      this.#busy.set(this.#laneOf(record), []);
    }
  }

  /** `item`'s record may not start yet (`mayStart` said no): it waits behind its lane. */
  wait(item: T): void {
    this.#busy.get(this.#laneOf(item.record))!.push(item);
  }

  /**
   * `record` (running) finished. Returns the next record of its lane, which may start now (the
   * lane stays busy with it), or undefined when the lane is free.
   */
  finished(record: ConsumedRecord): T | undefined {
    if (this.#ordering === 'unordered') {
      return undefined;
    }
    const lane = this.#laneOf(record);
    const waiting = this.#busy.get(lane);
    const next = waiting?.shift();
    if (next === undefined) {
      this.#busy.delete(lane);
    }
    return next;
  }

  /** Every record still waiting (never started), in no particular order; the lanes are cleared. */
  abandonWaiting(): T[] {
    const waiting = [...this.#busy.values()].flat();
    this.#busy.clear();
    return waiting;
  }

  #laneOf(record: ConsumedRecord): Lane {
    if (this.#ordering === 'partition') {
      return partitionLane;
    }
    // latin1 maps each byte to one character: distinct keys give distinct lanes.
    return record.key === null ? nullKeyLane : record.key.toString('latin1');
  }
}
