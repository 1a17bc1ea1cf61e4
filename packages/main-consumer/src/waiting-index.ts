import type { ConsumedRecord } from '@ricochet/core';
import { scanFollowers, type FollowerScan, type WaitingFollower } from './waiting-scan.js';

/**
 * How many bytes of followers (keys and values) a `WaitingIndex` keeps at most; past it, it lets
 * go of what it holds and starts again from where it read to.
 */
export const waitingIndexCapacityBytes = 16 * 1024 * 1024;

/**
 * How many offsets of the waiting partition a scan from before or past the range held may read
 * onto it; a scan from farther starts the index again from there.
 */
const waitingIndexReach = 10_000n;

/** What a follower held counts against the capacity besides its key and value. */
const followerOverheadBytes = 256;

/**
 * The followers of one source partition read from a partition of the waiting topic, by key, over
 * a range of the waiting partition read once: the drains of many keys due at once (their blockers
 * came back together) each scan much the same range, from their chain's start to the end, for
 * a few records of their key. The first one reads it; the others find their key's followers in
 * memory, and only what was appended since is read again. A waiting record never changes once
 * written, so what was read stays true.
 */
export class WaitingIndex {
  readonly #source: Parameters<typeof scanFollowers>[0];
  readonly #partition: number;
  /** The name of the key of a follower to keep (undefined: not one of this source partition). */
  readonly #nameOf: (follower: ConsumedRecord) => string | undefined;
  /** Bytes. */
  readonly #capacity: number;
  /** The range held: every follower kept at offsets from `#start` to before `#next`. */
  #start: bigint | undefined;
  #next = 0n;
  readonly #byName = new Map<string, WaitingFollower[]>();
  /** Bytes held, counted as for the capacity. */
  #size = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    source: Parameters<typeof scanFollowers>[0],
    partition: number,
    nameOf: (follower: ConsumedRecord) => string | undefined,
    capacity = waitingIndexCapacityBytes,
  ) {
    this.#source = source;
    this.#partition = partition;
    this.#nameOf = nameOf;
    this.#capacity = capacity;
  }

  /**
   * As `scanFollowers` (the same answer), for the followers named `name` only: `isFollower` is
   * asked of those.
   */
  scan(
    name: string,
    scan: Omit<FollowerScan, 'partition'>,
  ): Promise<{ readonly followers: WaitingFollower[]; readonly next: string }> {
    const run = this.#queue.then(() => this.#scan(name, scan));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #scan(
    name: string,
    scan: Omit<FollowerScan, 'partition'>,
  ): Promise<{ readonly followers: WaitingFollower[]; readonly next: string }> {
    const from = BigInt(scan.from);
    const until = BigInt(scan.until);
    if (from >= until) {
      return { followers: [], next: scan.from };
    }
    const reach = waitingIndexReach;
    if (this.#start === undefined || from > this.#next + reach || from + reach < this.#start) {
      this.#clear(from);
    }
    const start = this.#start ?? from;
    if (from < start) {
      // Before what is held: read that much more, rather than let go of what other drains use.
      const before = await this.#read(from, start);
      for (const [name, earlier] of before) {
        this.#byName.set(name, [...earlier, ...(this.#byName.get(name) ?? [])]);
      }
      this.#start = from;
    }
    if (this.#next < until) {
      for (const [name, later] of await this.#read(this.#next, until)) {
        const list = this.#byName.get(name);
        if (list === undefined) {
          this.#byName.set(name, later);
        } else {
          list.push(...later);
        }
      }
      this.#next = until;
    }
    const answer = this.#pick(name, from, until, scan);
    if (this.#size > this.#capacity) {
      this.#clear(this.#next);
    }
    return answer;
  }

  #pick(
    name: string,
    from: bigint,
    until: bigint,
    scan: Omit<FollowerScan, 'partition'>,
  ): { readonly followers: WaitingFollower[]; readonly next: string } {
    const followers: WaitingFollower[] = [];
    for (const follower of this.#byName.get(name) ?? []) {
      const offset = BigInt(follower.waitingOffset);
      if (offset < from) {
        continue;
      }
      if (offset >= until) {
        break;
      }
      if (scan.isFollower(follower.record)) {
        followers.push(follower);
        if (followers.length >= scan.max) {
          return { followers, next: (offset + 1n).toString() };
        }
      }
    }
    return { followers, next: scan.until };
  }

  /** The followers of the source partition from `from` to before `until`, by name, counted. */
  async #read(from: bigint, until: bigint): Promise<Map<string, WaitingFollower[]>> {
    const read = await scanFollowers(this.#source, {
      partition: this.#partition,
      from: from.toString(),
      until: until.toString(),
      max: Number.POSITIVE_INFINITY,
      isFollower: () => true,
    });
    const byName = new Map<string, WaitingFollower[]>();
    for (const follower of read.followers) {
      const name = this.#nameOf(follower.record);
      if (name !== undefined) {
        const list = byName.get(name);
        if (list === undefined) {
          byName.set(name, [follower]);
        } else {
          list.push(follower);
        }
        this.#size +=
          followerOverheadBytes +
          (follower.record.key?.length ?? 0) +
          (follower.record.value?.length ?? 0);
      }
    }
    return byName;
  }

  /** No drain reads the partition any more: what is held goes (the next drain starts it again). */
  letGo(): void {
    this.#queue = this.#queue.then(() => {
      this.#byName.clear();
      this.#size = 0;
      this.#start = undefined;
    });
  }

  #clear(start: bigint): void {
    this.#byName.clear();
    this.#size = 0;
    this.#start = start;
    this.#next = start;
  }
}
