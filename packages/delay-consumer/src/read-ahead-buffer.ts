/** A record read ahead of its due-at, kept in memory until it is released and acknowledged. */
export interface ReadAheadEntry<Item> {
  readonly offset: string;
  /** Never released before this; 0 for a record to release at once (due, or unroutable). */
  readonly dueAt: number;
  readonly bytes: number;
  readonly item: Item;
}

/**
 * One partition's records read ahead, in offset order. They leave in that order, each no earlier
 * than its due-at: a record due before the one ahead of it waits for it, as it did when the
 * partition was held at its first record not yet due. So what is in flight is always a prefix,
 * and once it is acknowledged the partition can be committed through its last offset.
 */
export class PartitionReadAhead<Item> {
  #waiting: ReadAheadEntry<Item>[] = [];
  #inFlight: ReadAheadEntry<Item>[] = [];
  #bytes = 0;
  #lastOffset: bigint | undefined;

  /** Bytes of the records not yet acknowledged. */
  get bytes(): number {
    return this.#bytes;
  }

  get isEmpty(): boolean {
    return this.#waiting.length === 0 && this.#inFlight.length === 0;
  }

  /** Where to read again if everything here were dropped: the first record not acknowledged. */
  firstOffset(): string | undefined {
    return (this.#inFlight[0] ?? this.#waiting[0])?.offset;
  }

  /**
   * Whether a record at `offset` comes after every record taken: a fetch that went back (an
   * offset reset) must start a new buffer rather than hand the same records on twice.
   */
  follows(offset: string): boolean {
    return this.#lastOffset === undefined || BigInt(offset) > this.#lastOffset;
  }

  /** Takes the next record of the partition (see `follows`). */
  add(entry: ReadAheadEntry<Item>): void {
    this.#lastOffset = BigInt(entry.offset);
    this.#waiting.push(entry);
    this.#bytes += entry.bytes;
  }

  /** When the next record may leave, or undefined when none waits. */
  nextDueAt(): number | undefined {
    return this.#waiting[0]?.dueAt;
  }

  /** Moves the records due at `now` at the head of the partition (at most `limit`) in flight. */
  takeDue(now: number, limit: number): readonly ReadAheadEntry<Item>[] {
    let count = 0;
    while (count < limit && count < this.#waiting.length && this.#waiting[count]!.dueAt <= now) {
      count += 1;
    }
    const taken = this.#waiting.splice(0, count);
    this.#inFlight.push(...taken);
    return taken;
  }

  /** Everything in flight was acknowledged: returns the offset to commit through, if any. */
  acknowledge(): string | undefined {
    const last = this.#inFlight.at(-1);
    for (const entry of this.#inFlight) {
      this.#bytes -= entry.bytes;
    }
    this.#inFlight = [];
    return last?.offset;
  }

  clear(): void {
    this.#waiting = [];
    this.#inFlight = [];
    this.#bytes = 0;
    this.#lastOffset = undefined;
  }
}

/** The partitions' due records taken for one publish, at most `limit` in all, by partition key. */
export function takeDueAcross<Key, Item>(
  partitions: Iterable<readonly [Key, PartitionReadAhead<Item>]>,
  now: number,
  limit: number,
): { key: Key; entries: readonly ReadAheadEntry<Item>[] }[] {
  const taken: { key: Key; entries: readonly ReadAheadEntry<Item>[] }[] = [];
  let remaining = limit;
  for (const [key, buffer] of partitions) {
    if (remaining <= 0) {
      break;
    }
    const entries = buffer.takeDue(now, remaining);
    if (entries.length > 0) {
      taken.push({ key, entries });
      remaining -= entries.length;
    }
  }
  return taken;
}

/** The earliest due-at among the partitions' next records. */
export function earliestDueAt<Item>(
  buffers: Iterable<PartitionReadAhead<Item>>,
): number | undefined {
  let earliest: number | undefined;
  for (const buffer of buffers) {
    const dueAt = buffer.nextDueAt();
    if (dueAt !== undefined && (earliest === undefined || dueAt < earliest)) {
      earliest = dueAt;
    }
  }
  return earliest;
}
