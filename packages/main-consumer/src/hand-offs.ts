import type { ConsumedRecord, OutgoingRecord } from '@ricochet/core';
import { isBefore } from './offsets.js';
import type { RecordFate, RecordOutcome } from './record-outcome.js';

/**
 * Records queued for a tier or the dead-letter topic are published together once this many are
 * waiting (and at the end of every batch, and before every commit): one acknowledged request
 * for many, rather than a round trip per failed record.
 */
export const maxHandOffBatch = 500;

/**
 * Publishes records to their tiers or the dead-letter topic. Resolves once every one, or what it
 * was diverted to, is acknowledged, with the indexes of those diverted to the dead-letter topic
 * because their tier refused them as too large. Rejects when any of them may not be counted sent.
 */
export type PublishHandOffs = (records: readonly OutgoingRecord[]) => Promise<ReadonlySet<number>>;

/**
 * Called for each record once it and every record before it are done, in offset order: resolve
 * it, report it. `outcome` is undefined for a record skipped because an earlier owner had done it.
 */
export type SettleRecord = (record: ConsumedRecord, outcome: RecordOutcome | undefined) => void;

export interface HandOffsOptions {
  readonly settle: SettleRecord;
  readonly commitIntervalMilliseconds: number;
  /** When (`performance.now()`) the records began to come: the first commit interval starts then. */
  readonly startedAt: number;
}

/**
 * A record taken in offset order and not yet settled: still running (no outcome yet), waiting
 * for its hand-off to be acknowledged, or done while a record before it is not.
 */
export interface Unsettled {
  readonly record: ConsumedRecord;
  /** Undefined while the record runs; set once its fate is decided. */
  outcome: RecordOutcome | undefined;
  running: boolean;
  handOff: OutgoingRecord | undefined;
  acknowledged: boolean;
}

/** The outcome of a record its tier refused as too large, which went to the dead-letter topic. */
function divertedToDeadLetters(outcome: RecordOutcome): RecordOutcome {
  const tryCount = 'tryCount' in outcome ? outcome.tryCount : 0;
  return { kind: 'dead-lettered', reason: 'record-too-large', tryCount };
}

function isDone(unsettled: Unsettled): boolean {
  return !unsettled.running && (unsettled.handOff === undefined || unsettled.acknowledged);
}

/**
 * The hand-off bookkeeping of one partition's records. Records are taken in offset order (the
 * batch's cursor passes them) and may finish in any order. It knows which records are queued for
 * publishing, which are done (handled, or acknowledged on a tier or the dead-letter topic), and
 * what may be committed: only the contiguous prefix of done records is settled (reported, and
 * committable); the records done beyond it are listed (`doneBeyond`) for the commit's metadata.
 * It does no I/O: the caller publishes (`publishQueued` is given how) and commits.
 */
export class HandOffs {
  readonly #settle: SettleRecord;
  readonly #commitIntervalMilliseconds: number;
  /** Records taken and not yet settled, in offset order, from `#first` on. */
  #unsettled: Unsettled[] = [];
  #first = 0;
  /** The unsettled records whose hand-off is not yet being published. */
  #queued: Unsettled[] = [];
  /** The last record settled, while no commit has covered it. */
  #committable: string | undefined;
  #lastCommitAt: number;

  constructor(options: HandOffsOptions) {
    this.#settle = options.settle;
    this.#commitIntervalMilliseconds = options.commitIntervalMilliseconds;
    this.#lastCommitAt = options.startedAt;
  }

  /**
   * The offset through which records may be committed: it and every record before it are
   * settled, and no commit has covered it yet. Undefined when there is nothing new to commit.
   */
  get committable(): string | undefined {
    return this.#committable;
  }

  /** The first record taken and not settled: nothing at or past it may be committed. */
  get firstUnsettled(): string | undefined {
    return this.#unsettled[this.#first]?.record.offset;
  }

  /** Whether enough hand-offs are queued to publish them now rather than wait for more. */
  get publishDue(): boolean {
    return this.#queued.length >= maxHandOffBatch;
  }

  /** Whether the commit interval has passed at `now` (`performance.now()`) since the last commit. */
  commitDue(now: number): boolean {
    return now - this.#lastCommitAt >= this.#commitIntervalMilliseconds;
  }

  /**
   * The records done while a record before them is not (so not committable), in offset order:
   * the commit's metadata carries them, so that a new owner skips them.
   */
  doneBeyond(): string[] {
    const done: string[] = [];
    for (let index = this.#first; index < this.#unsettled.length; index += 1) {
      const unsettled = this.#unsettled[index]!;
      if (isDone(unsettled)) {
        done.push(unsettled.record.offset);
      }
    }
    return done;
  }

  /** How many records are done beyond the first record not done (see `doneBeyond`). */
  get doneBeyondCount(): number {
    let count = 0;
    for (let index = this.#first; index < this.#unsettled.length; index += 1) {
      if (isDone(this.#unsettled[index]!)) {
        count += 1;
      }
    }
    return count;
  }

  /**
   * Takes the next record, in offset order, with its fate already decided. It is settled at once
   * when it has nothing to hand on and nothing before it waits; otherwise it waits, its hand-off
   * (if any) queued.
   */
  finished(record: ConsumedRecord, fate: RecordFate): void {
    const { outcome, handOff } = fate;
    if (handOff === undefined && this.#first === this.#unsettled.length) {
      this.#settled(record, outcome);
      return;
    }
    const unsettled: Unsettled = { record, outcome, running: false, handOff, acknowledged: false };
    this.#unsettled.push(unsettled);
    if (handOff !== undefined) {
      this.#queued.push(unsettled);
    }
  }

  /**
   * Takes the next record, in offset order, done by an earlier owner of the partition: it is not
   * handled again, and settles (unreported) once every record before it has.
   */
  skipped(record: ConsumedRecord): void {
    if (this.#first === this.#unsettled.length) {
      this.#settled(record, undefined);
      return;
    }
    this.#unsettled.push({
      record,
      outcome: undefined,
      running: false,
      handOff: undefined,
      acknowledged: false,
    });
  }

  /**
   * Takes the next record, in offset order, whose fate is not decided yet (it runs, or waits to
   * start): it holds back every record after it until `decided` is called with what it returns.
   */
  taken(record: ConsumedRecord): Unsettled {
    const unsettled: Unsettled = {
      record,
      outcome: undefined,
      running: true,
      handOff: undefined,
      acknowledged: false,
    };
    this.#unsettled.push(unsettled);
    return unsettled;
  }

  /** The fate of a record `taken` earlier is decided, in any order: settle what is now done. */
  decided(unsettled: Unsettled, fate: RecordFate): void {
    unsettled.running = false;
    unsettled.outcome = fate.outcome;
    unsettled.handOff = fate.handOff;
    if (fate.handOff !== undefined) {
      this.#queued.push(unsettled);
    } else {
      this.#settleDone();
    }
  }

  /**
   * Publishes the queued hand-offs with `publish` and, once they are acknowledged, settles every
   * record done. If the publish fails, the records it carried and every record after them stay
   * unsettled for good: the caller abandons the batch, commits what is committable and the
   * records are read again.
   */
  async publishQueued(publish: PublishHandOffs): Promise<void> {
    const publishing = this.#queued;
    if (publishing.length === 0) {
      return;
    }
    this.#queued = [];
    const diverted = await publish(publishing.map((unsettled) => unsettled.handOff!));
    for (const index of diverted) {
      const unsettled = publishing[index]!;
      unsettled.outcome = divertedToDeadLetters(unsettled.outcome!);
    }
    for (const unsettled of publishing) {
      unsettled.acknowledged = true;
    }
    this.#settleDone();
  }

  /**
   * A commit up to, not including, `offset` succeeded at `at` (`performance.now()`): the
   * records settled before `offset` are no longer committable, and the commit interval restarts.
   */
  committed(offset: string, at: number): void {
    if (this.#committable !== undefined && isBefore(this.#committable, offset)) {
      this.#committable = undefined;
    }
    this.#lastCommitAt = at;
  }

  /** Settles the unsettled records, in order, up to the first not done. */
  #settleDone(): void {
    const unsettled = this.#unsettled;
    while (this.#first < unsettled.length) {
      const first = unsettled[this.#first]!;
      if (!isDone(first)) {
        return;
      }
      this.#first += 1;
      this.#settled(first.record, first.outcome);
    }
    this.#unsettled = [];
    this.#first = 0;
  }

  #settled(record: ConsumedRecord, outcome: RecordOutcome | undefined): void {
    this.#committable = record.offset;
    this.#settle(record, outcome);
  }
}
