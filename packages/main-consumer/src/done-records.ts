import { isBefore } from './offsets.js';

/**
 * The records of a partition done beyond its committed offset, as the commit's metadata said
 * (`done`): an earlier owner handled them, or had them acknowledged on a tier or the dead-letter
 * topic, while a record before them was not. The owner skips them instead of handling them twice,
 * and carries those it has not reached yet into its own commits, so that they stay skipped if it
 * ends before them. Records are asked about in offset order.
 */
export class DoneRecords {
  /** Ascending offsets, from `#next` on those not reached yet. */
  readonly #offsets: readonly string[];
  #next = 0;

  /** `offsets` as decoded: canonical, ascending, distinct, each beyond the committed offset. */
  constructor(offsets: readonly string[] = []) {
    this.#offsets = offsets;
  }

  /** Whether the record at `offset`, the next asked about, was done; earlier offsets are passed. */
  has(offset: string): boolean {
    const offsets = this.#offsets;
    while (this.#next < offsets.length && isBefore(offsets[this.#next]!, offset)) {
      this.#next += 1;
    }
    if (this.#next < offsets.length && offsets[this.#next] === offset) {
      this.#next += 1;
      return true;
    }
    return false;
  }

  /** The done offsets not reached yet, ascending. */
  notReached(): readonly string[] {
    return this.#offsets.slice(this.#next);
  }

  /** Whether no done offset is left to reach: asking costs nothing then. */
  get exhausted(): boolean {
    return this.#next >= this.#offsets.length;
  }
}

/** Two ascending lists of distinct offsets merged into one, ascending and distinct. */
export function mergeOffsets(left: readonly string[], right: readonly string[]): string[] {
  if (right.length === 0) {
    return [...left];
  }
  if (left.length === 0) {
    return [...right];
  }
  const merged: string[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length || r < right.length) {
    const a = left[l];
    const b = right[r];
    if (b === undefined || (a !== undefined && isBefore(a, b))) {
      merged.push(a!);
      l += 1;
    } else if (a === undefined || isBefore(b, a)) {
      merged.push(b);
      r += 1;
    } else {
      merged.push(a);
      l += 1;
      r += 1;
    }
  }
  return merged;
}
