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

/** Called for each record once it is handed on, in offset order: resolve it, report it. */
export type SettleRecord = (record: ConsumedRecord, outcome: RecordOutcome) => void;

export interface HandOffsOptions {
  readonly settle: SettleRecord;
  readonly commitIntervalMilliseconds: number;
  /** When (`performance.now()`) the records began to come: the first commit interval starts then. */
  readonly startedAt: number;
}

/** A finished record that waits for its own hand-off, or for one before it, to be acknowledged. */
interface Waiting {
  readonly record: ConsumedRecord;
  outcome: RecordOutcome;
  readonly handOff: OutgoingRecord | undefined;
  acknowledged: boolean;
}

/** The outcome of a record its tier refused as too large, which went to the dead-letter topic. */
function divertedToDeadLetters(outcome: RecordOutcome): RecordOutcome {
  const tryCount = outcome.kind === 'skipped-other-group' ? 0 : outcome.tryCount;
  return { kind: 'dead-lettered', reason: 'record-too-large', tryCount };
}

/**
 * The hand-off bookkeeping of one partition's records, in offset order: which records are queued
 * for publishing, which finished records wait to settle behind a hand-off not yet acknowledged,
 * and what may be committed. A record is settled (reported, and committable) only once it and
 * every record before it are handed on: handled, or acknowledged on a tier or the dead-letter
 * topic. It does no I/O: the caller publishes (`publishQueued` is given how) and commits.
 */
export class HandOffs {
  readonly #settle: SettleRecord;
  readonly #commitIntervalMilliseconds: number;
  /** Finished records not yet settled, in offset order, from `#firstWaiting` on. */
  #waiting: Waiting[] = [];
  #firstWaiting = 0;
  /** The waiting records whose hand-off is not yet being published. */
  #queued: Waiting[] = [];
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

  /** Whether enough hand-offs are queued to publish them now rather than wait for more. */
  get publishDue(): boolean {
    return this.#queued.length >= maxHandOffBatch;
  }

  /** Whether the commit interval has passed at `now` (`performance.now()`) since the last commit. */
  commitDue(now: number): boolean {
    return now - this.#lastCommitAt >= this.#commitIntervalMilliseconds;
  }

  /**
   * Takes the next record's fate, in offset order. It is settled at once when it has nothing to
   * hand on and nothing before it waits; otherwise it waits, its hand-off (if any) queued.
   */
  finished(record: ConsumedRecord, fate: RecordFate): void {
    const { outcome, handOff } = fate;
    if (handOff === undefined && this.#firstWaiting === this.#waiting.length) {
      this.#settled(record, outcome);
      return;
    }
    const waiting: Waiting = { record, outcome, handOff, acknowledged: false };
    this.#waiting.push(waiting);
    if (handOff !== undefined) {
      this.#queued.push(waiting);
    }
  }

  /**
   * Publishes the queued hand-offs with `publish` and, once they are acknowledged, settles every
   * record no longer waiting on one. If the publish fails, the records it carried and every
   * record after them stay unsettled for good: the caller abandons the batch, commits what is
   * committable and the records are read again.
   */
  async publishQueued(publish: PublishHandOffs): Promise<void> {
    const publishing = this.#queued;
    if (publishing.length === 0) {
      return;
    }
    this.#queued = [];
    const diverted = await publish(publishing.map((waiting) => waiting.handOff!));
    for (const index of diverted) {
      const waiting = publishing[index]!;
      waiting.outcome = divertedToDeadLetters(waiting.outcome);
    }
    for (const waiting of publishing) {
      waiting.acknowledged = true;
    }
    this.#settleWaiting();
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

  /** Settles the waiting records, in order, up to the first whose hand-off is not acknowledged. */
  #settleWaiting(): void {
    const waiting = this.#waiting;
    while (this.#firstWaiting < waiting.length) {
      const first = waiting[this.#firstWaiting]!;
      if (first.handOff !== undefined && !first.acknowledged) {
        return;
      }
      this.#firstWaiting += 1;
      this.#settled(first.record, first.outcome);
    }
    this.#waiting = [];
    this.#firstWaiting = 0;
  }

  #settled(record: ConsumedRecord, outcome: RecordOutcome): void {
    this.#committable = record.offset;
    this.#settle(record, outcome);
  }
}
