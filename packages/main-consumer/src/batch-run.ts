import { performance } from 'node:perf_hooks';
import { nextOffset, type Logger } from '@ricochet/core';
import type { ConsumedBatch } from '@ricochet/kafka';
import { BatchCommits, type CommitPartition } from './batch-commits.js';
import { BatchRecords } from './batch-records.js';
import type { CarefulGate } from './careful-gate.js';
import type { OwnedPartition } from './crash-guards.js';
import { DoneRecords } from './done-records.js';
import { HandOffs, type PublishHandOffs, type SettleRecord } from './hand-offs.js';
import type { InFlightSlots } from './in-flight-slots.js';
import type { KeyStrictPartition } from './key-strict-partition.js';
import type { CompiledMainConsumerOptions } from './options.js';
import type { ProgressWatch } from './progress-watch.js';
import type { RecordProcessor } from './record-processor.js';

/**
 * How often, at most, a batch's watchdog runs while the batch is in hand. It asks for a
 * heartbeat, so that a handler call longer than the session timeout does not get the member
 * evicted (one is sent only once the heartbeat interval has passed, see ConsumedBatch, so asking
 * more often costs nothing), and it fails a handler call past the handler timeout.
 */
const maxWatchdogMilliseconds = 1_000;

/**
 * How often, at most, the cursor asks for a heartbeat between records. The Kafka client sends one only
 * once its heartbeat interval (3 s by default) has passed, so asking after every record bought
 * nothing but a promise and a microtask turn per record; a heartbeat now leaves at most this much
 * later than it would have, and a rebalance it reports is noticed at most this much later.
 */
const heartbeatAskMilliseconds = 50;

/** A handler call is failed within a tenth of the handler timeout past it (a second at most). */
function watchdogMilliseconds(handlerTimeoutMilliseconds: number): number {
  return Math.min(maxWatchdogMilliseconds, Math.ceil(handlerTimeoutMilliseconds / 10));
}

/** The main consumer's options a batch run reads. */
export type BatchRunOptions = Pick<
  CompiledMainConsumerOptions<unknown>,
  | 'ordering'
  | 'commitIntervalMilliseconds'
  | 'revokeGraceMilliseconds'
  | 'handlerTimeoutMilliseconds'
  | 'redeliveryTopic'
  | 'onEvent'
>;

/** What every batch run of a main consumer shares, and how a run reaches the service. */
export interface BatchRunShared {
  readonly options: BatchRunOptions;
  readonly logger: Logger;
  /** The bound on records handled at once across all partitions. */
  readonly slots: InFlightSlots;
  /** Closed while a careful record runs alone. */
  readonly carefulGate: CarefulGate;
  readonly progress: ProgressWatch;
  /** Publishes hand-offs, acknowledged. */
  readonly publish: PublishHandOffs;
  /** Commits the partition with the group session. */
  readonly commit: CommitPartition;
  /** Reports a record settled (unless skipped: `outcome` undefined), once the batch resolved it. */
  readonly report: SettleRecord;
}

/**
 * One partition's batch in hand: handles its records, as many at once as the ordering and the
 * free slots allow. The cursor takes records in offset order; a record whose lane is busy waits
 * behind it, and a record that finishes starts the next of its lane. A failed record's hand-off
 * is queued for its tier (or the dead-letter topic) and published in one acknowledged request
 * when the queue is full, at the end of the batch and before every commit. Only the contiguous
 * prefix of done records is settled, reported and committable; the records done beyond it travel
 * in the commit's metadata (`BatchCommits`). Nothing is committed past a record not yet handed on.
 *
 * When the partition is revoked or the service stops, no record is started any more and the
 * running ones get `revokeGraceMilliseconds` to finish; what is done is then committed, and the
 * rest is left to the next owner. The records from the cursor on are `BatchRecords`'; this is
 * the batch's flow: its cursor, commit cadence, heartbeats, ending and grace.
 */
export class BatchRun<TValue> {
  readonly #shared: BatchRunShared;
  readonly #options: BatchRunOptions;
  readonly #progress: ProgressWatch;
  readonly #batch: ConsumedBatch;
  readonly #owned: OwnedPartition;
  readonly #processor: RecordProcessor<TValue>;
  readonly #handOffs: HandOffs;
  readonly #commits: BatchCommits;
  /** The batch's records from the cursor on: taken, started, decided. */
  readonly #records: BatchRecords<TValue>;
  /** No record is started any more: the partition is revoked, the service stops, or one failed. */
  #ending = false;
  /** The heartbeat's rejection (a rebalance), rethrown once the running records had their grace. */
  #rejoin: { readonly error: unknown } | undefined;
  /** A record's processing threw (not the handler: Ricochet's own code); the batch fails with it. */
  #failure: { readonly error: unknown } | undefined;
  /** The batch returned: a late decision only gives its slot back. */
  #closed = false;
  /** Wakes the batch's own flow when a record is decided or the batch starts ending. */
  #wakeFlow: (() => void) | undefined;
  /** The last record settled and not yet resolved on the batch. */
  #settledThrough: string | undefined;
  /** Whether `#resolveSettled` is queued to run. */
  #resolveQueued = false;
  /**
   * Resolves the records settled since it last ran, through the last: once per turn of the
   * flow rather than once per record, as the Kafka client parses every offset it is given.
   * Queued as a microtask by the first record settled, so it runs before the flow awaits
   * anything the Kafka client could answer; a resolve later than the settle can only make a fetch start
   * earlier (records read again), never past a record not settled.
   */
  readonly #resolveSettled = (): void => {
    this.#resolveQueued = false;
    const through = this.#settledThrough;
    if (through !== undefined) {
      this.#settledThrough = undefined;
      this.#batch.resolve(through);
    }
  };

  constructor(
    shared: BatchRunShared,
    batch: ConsumedBatch,
    owned: OwnedPartition,
    processor: RecordProcessor<TValue>,
    keyStrict?: KeyStrictPartition,
  ) {
    this.#shared = shared;
    this.#options = shared.options;
    this.#progress = shared.progress;
    this.#batch = batch;
    this.#owned = owned;
    this.#processor = processor;
    // One bookkeeping per batch: with partitions handled concurrently, a batch must publish (and
    // so settle) only its own records.
    const report = shared.report;
    this.#handOffs = new HandOffs({
      settle: (record, outcome) => {
        // The fetch may pass it; it is reported (unless an earlier owner did it: it was then).
        this.#settledThrough = record.offset;
        if (!this.#resolveQueued) {
          this.#resolveQueued = true;
          queueMicrotask(this.#resolveSettled);
        }
        report(record, outcome);
      },
      commitIntervalMilliseconds: shared.options.commitIntervalMilliseconds,
      startedAt: processor.lastFinishedAt,
    });
    this.#commits = new BatchCommits(
      batch.topic,
      batch.partition,
      owned,
      this.#handOffs,
      shared.publish,
      shared.commit,
      keyStrict === undefined ? undefined : () => keyStrict.fence(),
    );
    const last = batch.records.at(-1);
    // Read only before a record of the batch starts: a batch with none never reads it.
    const batchEnd = last === undefined ? '0' : nextOffset(last.offset);
    this.#records = new BatchRecords(
      shared,
      {
        owned,
        batchEnd,
        processor,
        handOffs: this.#handOffs,
        commits: this.#commits,
        keyStrict,
        slotsAhead: batch.topic === shared.options.redeliveryTopic,
      },
      {
        ending: () => this.#ending,
        closed: () => this.#closed,
        wake: () => this.#wake(),
        woken: () => this.#woken(),
        awaitDecided: () => this.#awaitDecided(),
        failed: (error: unknown) => this.#failed(error),
      },
    );
  }

  /**
   * Runs the batch to its end: every record decided (or the batch ending and its grace over),
   * the hand-offs published and what is settled committed. Rejects with a rebalance, a failed
   * publish or Ricochet's own failure, after committing what was handed on.
   */
  async run(): Promise<void> {
    const batch = this.#batch;
    const owned = this.#owned;
    const handOffs = this.#handOffs;
    const processor = this.#processor;
    const commits = this.#commits;
    owned.gap = () => handOffs.doneBeyondCount + owned.done.notReached().length;
    let ended = false;
    const startedAt = performance.now();
    this.#progress.batchStarted(startedAt);
    // The clock read as records finish (no clock read of its own): when a heartbeat was asked.
    let heartbeatAskedAt = startedAt;
    const watchdog = setInterval(() => {
      processor.expireOverdue(performance.now());
      if (this.#closed) {
        // Abandoned calls are still given up on at the handler timeout, so their slots come back.
        if (processor.pendingCalls === 0) {
          clearInterval(watchdog);
        }
        return;
      }
      if (!batch.isCurrent()) {
        this.#beginEnding();
      }
      void this.#heartbeatDuringRecord();
      // A batch waiting on its running records still commits on the commit interval.
      this.#wake();
    }, watchdogMilliseconds(this.#options.handlerTimeoutMilliseconds));
    // Whether the batch is still current changes only while the flow awaits (a stop, a seek):
    // asked before the first record, after every await and at the heartbeat cadence (a handler
    // may stop the service itself), not before every record: the Kafka client builds a key to answer.
    let askCurrent = true;
    try {
      for (const record of batch.records) {
        if (this.#ending || (askCurrent && !batch.isCurrent())) {
          break;
        }
        askCurrent = false;
        const taking = this.#records.take(record);
        // Awaited only when it is a promise: a record handled synchronously costs no microtask.
        if (taking !== undefined) {
          await taking;
          askCurrent = true;
        }
        if (handOffs.publishDue) {
          await commits.publishQueued();
          askCurrent = true;
        }
        const finishedAt = processor.lastFinishedAt;
        if (handOffs.commitDue(finishedAt)) {
          await commits.publishAndCommit();
          askCurrent = true;
        }
        if (finishedAt - heartbeatAskedAt >= heartbeatAskMilliseconds) {
          heartbeatAskedAt = finishedAt;
          askCurrent = true;
          try {
            await batch.heartbeat();
          } catch (error) {
            this.#beginEnding({ rejoin: error });
          }
        }
      }
      await this.#awaitDecided();
      if (this.#ending) {
        await this.#awaitGrace();
      }
      if (this.#failure !== undefined) {
        throw this.#failure.error;
      }
      await commits.publishQueued();
      if (this.#rejoin !== undefined) {
        throw this.#rejoin.error;
      }
      // No record follows right after this batch: the service stops, the fetch moved, the
      // partition is revoked or read to its end (an idle or stopped service then leaves no
      // suspect range).
      ended = this.#ending || !batch.isCurrent() || batch.readToEnd;
    } catch (error) {
      // The batch is abandoned (a publish failed, a rebalance): the process did not crash. The
      // records still running get the grace, so that what they finish is committed.
      ended = true;
      this.#beginEnding();
      await this.#awaitGrace();
      throw error;
    } finally {
      this.#closed = true;
      // The batch's report (and the next fetch) see every record settled until now.
      this.#resolveSettled();
      if (processor.pendingCalls === 0) {
        clearInterval(watchdog);
      }
      try {
        // Commit what was handed on even when a publish failed, so the restart resumes right at
        // the first record that was not handed on, not before it.
        await (ended ? commits.commitEnd() : commits.commitHandedOn());
      } finally {
        const done = commits.doneBeyond();
        owned.done = new DoneRecords(done);
        owned.gap = () => owned.done.notReached().length;
        this.#progress.batchEnded();
      }
    }
  }

  /**
   * Ricochet's own processing of a record threw (not the handler: its throw is a fate): the
   * record stays unsettled, the batch ends and fails with the error.
   */
  #failed(error: unknown): void {
    if (this.#closed) {
      this.#shared.logger.warn('a record abandoned with its batch failed', { error });
      return;
    }
    this.#failure ??= { error };
    this.#beginEnding();
  }

  /** No record of the batch is started any more; the records waiting for their lane are dropped. */
  #beginEnding(reason?: { readonly rejoin: unknown }): void {
    if (reason !== undefined && this.#rejoin === undefined) {
      this.#rejoin = { error: reason.rejoin };
    }
    if (this.#ending) {
      return;
    }
    this.#ending = true;
    this.#records.abandonWaiting();
    this.#wake();
  }

  #wake(): void {
    const wake = this.#wakeFlow;
    this.#wakeFlow = undefined;
    wake?.();
  }

  /** Resolves once `#wake` is called: a record is decided, or the batch starts ending. */
  #woken(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wakeFlow = resolve;
    });
  }

  /**
   * Waits until no record taken is undecided or the batch ends, committing on the commit interval
   * meanwhile.
   */
  async #awaitDecided(): Promise<void> {
    const handOffs = this.#handOffs;
    while (this.#records.pending > 0 && !this.#ending) {
      await this.#woken();
      if (handOffs.publishDue) {
        await this.#commits.publishQueued();
      }
      if (!this.#ending && handOffs.commitDue(performance.now())) {
        await this.#commits.publishAndCommit();
      }
    }
  }

  /** The batch ends (revoked, stopping): the running records get the revoke grace, no more. */
  async #awaitGrace(): Promise<void> {
    const graceMilliseconds = this.#options.revokeGraceMilliseconds;
    const graceEndsAt = performance.now() + graceMilliseconds;
    while (this.#records.pending > 0) {
      const left = graceEndsAt - performance.now();
      if (left <= 0) {
        this.#shared.logger.warn(
          'handlers still running after the revoke grace; their records are left to the next owner',
          {
            topic: this.#batch.topic,
            partition: this.#batch.partition,
            running: this.#records.pending,
            graceMilliseconds,
          },
        );
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wakeFlow = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /**
   * A heartbeat sent while records are in hand. Its failure (a rebalance began, the member was
   * fenced) cannot stop the calls in hand: the batch starts no record any more, gives the
   * running ones the revoke grace, commits what is done and ends with the failure.
   */
  async #heartbeatDuringRecord(): Promise<void> {
    const batch = this.#batch;
    try {
      await batch.heartbeat();
    } catch (error) {
      this.#shared.logger.info('heartbeat while records are in hand failed; the batch ends', {
        topic: batch.topic,
        partition: batch.partition,
        error,
      });
      if (!this.#closed) {
        this.#beginEnding({ rejoin: error });
      }
    }
  }
}
