/** A batch's records from the cursor on: skipped, run alone, or started as lanes and slots free. */
import { performance } from 'node:perf_hooks';
import type { CommitMetadata, ConsumedRecord, Logger } from '@ricochet/core';
import type { BatchCommits } from './batch-commits.js';
import type { CarefulGate } from './careful-gate.js';
import type { PartitionCrashGuard, RecordStep } from './crash-guard.js';
import type { OwnedPartition } from './crash-guards.js';
import type { HandOffs, Unsettled } from './hand-offs.js';
import type { InFlightSlots } from './in-flight-slots.js';
import type { KeyStrictPartition } from './key-strict-partition.js';
import { OrderingLanes } from './ordering.js';
import type { CompiledMainConsumerOptions } from './options.js';
import type { ProgressWatch } from './progress-watch.js';
import type { RecordFate } from './record-outcome.js';
import { recordFate } from './record-fate.js';
import type { RecordProcessor } from './record-processor.js';

/** A record the batch's cursor has passed and will start: its crash-guard step, its bookkeeping. */
interface TakenRecord {
  readonly record: ConsumedRecord;
  readonly step: RecordStep;
  /** Its booking as taken and not decided (it waits, or runs asynchronously). */
  readonly unsettled: Unsettled;
}

/** What a batch's records share with every batch run (see `BatchRunShared`). */
export interface BatchRecordsShared {
  readonly options: Pick<CompiledMainConsumerOptions<unknown>, 'ordering' | 'onEvent'>;
  readonly logger: Logger;
  /** The bound on records handled at once across all partitions. */
  readonly slots: InFlightSlots;
  /** Closed while a careful record runs alone. */
  readonly carefulGate: CarefulGate;
  readonly progress: ProgressWatch;
}

/** The batch's own parts its records are booked, committed and handled with. */
export interface BatchRecordsParts<TValue> {
  readonly owned: OwnedPartition;
  /** The offset after the batch's last record: how far the records it may start reach. */
  readonly batchEnd: string;
  readonly processor: RecordProcessor<TValue>;
  readonly handOffs: HandOffs;
  readonly commits: BatchCommits;
  /** Ordering `key-strict`: the partition's state, which decides every record's fate. */
  readonly keyStrict: KeyStrictPartition | undefined;
  /** Whether its records take free slots ahead of others': a batch of the redelivery topic. */
  readonly slotsAhead: boolean;
}

/** What a batch's records need of the batch's own flow. */
export interface BatchFlow {
  /** Whether no record is started any more: revoked, the service stops, or a record failed. */
  ending(): boolean;
  /** Whether the batch returned: a late decision only gives its slot back. */
  closed(): boolean;
  /** Wakes the flow: a record is decided. */
  wake(): void;
  /** Resolves once the flow is woken: a record is decided, or the batch starts ending. */
  woken(): Promise<void>;
  /** Waits until no record taken is undecided or the batch ends. */
  awaitDecided(): Promise<void>;
  /** Ricochet's own processing of a record threw: the batch ends and fails with `error`. */
  failed(error: unknown): void;
}

/**
 * The records of one batch from the cursor on (see `BatchRun`): each is skipped when an earlier
 * owner did it, run alone when the crash guard says so, else started at once or queued behind
 * its lane until its lane and a free slot allow; a record decided starts the next of its lane.
 */
export class BatchRecords<TValue> {
  readonly #shared: BatchRecordsShared;
  /** The batch's own flow: whether it ends, its wake-up, its failure. */
  readonly #host: BatchFlow;
  readonly #slots: InFlightSlots;
  readonly #carefulGate: CarefulGate;
  readonly #progress: ProgressWatch;
  readonly #owned: OwnedPartition;
  readonly #guard: PartitionCrashGuard;
  /** The offset after the batch's last record: how far the records it may start reach. */
  readonly #batchEnd: string;
  readonly #slotsAhead: boolean;
  readonly #processor: RecordProcessor<TValue>;
  readonly #handOffs: HandOffs;
  readonly #commits: BatchCommits;
  readonly #lanes: OrderingLanes<TakenRecord>;
  /** Ordering `key-strict`: the partition's state, which decides every record's fate. */
  readonly #keyStrict: KeyStrictPartition | undefined;
  /** Records taken whose fate is not decided: running, or waiting for their lane or a slot. */
  #pending = 0;

  constructor(shared: BatchRecordsShared, parts: BatchRecordsParts<TValue>, host: BatchFlow) {
    this.#shared = shared;
    this.#host = host;
    this.#slots = shared.slots;
    this.#carefulGate = shared.carefulGate;
    this.#progress = shared.progress;
    this.#owned = parts.owned;
    this.#guard = parts.owned.guard;
    this.#batchEnd = parts.batchEnd;
    this.#slotsAhead = parts.slotsAhead;
    this.#processor = parts.processor;
    this.#handOffs = parts.handOffs;
    this.#commits = parts.commits;
    this.#keyStrict = parts.keyStrict;
    this.#lanes = new OrderingLanes(shared.options.ordering);
  }

  /** Records taken whose fate is not decided: running, or waiting for their lane or a slot. */
  get pending(): number {
    return this.#pending;
  }

  /** The batch ends: the records waiting for their lane are dropped. */
  abandonWaiting(): void {
    this.#pending -= this.#lanes.abandonWaiting().length;
  }

  /**
   * Takes the batch's next record: skips it when an earlier owner did it, runs it carefully
   * when the crash guard says so, else starts it now (a free slot awaited) or queues it behind
   * its lane. Returns a promise only when something must be awaited: a record handled
   * synchronously with a free slot costs no promise and no microtask here.
   */
  take(record: ConsumedRecord): Promise<void> | undefined {
    const owned = this.#owned;
    if (!owned.done.exhausted && owned.done.has(record.offset)) {
      this.#shared.logger.debug('record skipped: an earlier owner of the partition had it done', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
      this.#handOffs.skipped(record);
      return undefined;
    }
    const step = this.#guard.beforeRecord(record.offset, this.#batchEnd);
    if (step.kind === 'mark' || this.#carefulGate.closed !== undefined) {
      return this.#takeAfterCommit(record, step);
    }
    return this.#startOrQueue(record, step);
  }

  /**
   * Takes a record that needs a commit first (a careful record runs alone after it; a new crash
   * guard is written before it), or that waits for a careful record elsewhere to finish.
   */
  async #takeAfterCommit(record: ConsumedRecord, step: RecordStep): Promise<void> {
    if (step.kind === 'mark' && step.metadata.attempt !== undefined) {
      await this.#host.awaitDecided();
      if (!this.#host.ending()) {
        await this.#processCarefully(record, step.metadata);
      }
      return;
    }
    if (step.kind === 'mark') {
      await this.#commits.commitMark(record.offset, step.metadata);
    }
    for (let gate = this.#carefulGate.closed; gate !== undefined; gate = this.#carefulGate.closed) {
      await gate;
    }
    // The batch may have begun ending while the commit or the careful gate was awaited: its
    // waiting records were dropped and its lanes cleared, so this record would start ahead of
    // earlier records of its key, which are read again only after the group's next join.
    if (this.#host.ending()) {
      return;
    }
    await this.#startOrQueue(record, step);
  }

  /** Starts a record now when its lane and a slot are free; else queues it, or awaits them. */
  #startOrQueue(record: ConsumedRecord, step: RecordStep): Promise<void> | undefined {
    if (!this.#lanes.mayStart(record)) {
      if (this.#shared.options.ordering === 'partition') {
        // One record at a time: the cursor waits rather than queue the whole batch.
        return this.#startWhenDecided(record, step);
      }
      this.#pending += 1;
      this.#lanes.wait({ record, step, unsettled: this.#handOffs.taken(record) });
      return undefined;
    }
    const slot = this.#slots.acquire(this.#slotsAhead);
    if (slot !== undefined) {
      return this.#startWithSlot(record, step, slot);
    }
    this.#run(record, step, undefined);
    return undefined;
  }

  /** `partition` ordering: starts the record once the one before it is decided. */
  async #startWhenDecided(record: ConsumedRecord, step: RecordStep): Promise<void> {
    await this.#host.awaitDecided();
    if (!this.#host.ending()) {
      await this.#startOrQueue(record, step);
    }
  }

  /** Starts the record once `slot` is taken, unless the batch ends meanwhile. */
  async #startWithSlot(
    record: ConsumedRecord,
    step: RecordStep,
    slot: Promise<void>,
  ): Promise<void> {
    if (await this.#awaitSlotUnlessEnding(slot)) {
      this.#run(record, step, undefined);
    }
  }

  /** Waits for a free slot, and reports how long the wait was. */
  async #awaitSlot(slot: Promise<void>): Promise<void> {
    const blockedAt = performance.now();
    await slot;
    this.#shared.options.onEvent({
      type: 'in-flight-blocked',
      seconds: (performance.now() - blockedAt) / 1000,
    });
  }

  /**
   * Waits for a free slot for the cursor's record, or for the batch to end meanwhile (the revoke
   * grace must not wait on other partitions' handlers): then the slot, once it comes, is given
   * back, and false is returned.
   */
  async #awaitSlotUnlessEnding(slot: Promise<void>): Promise<boolean> {
    let taken = false;
    const waited = this.#awaitSlot(slot).then(() => {
      taken = true;
      this.#host.wake();
    });
    while (!taken && !this.#host.ending()) {
      await this.#host.woken();
    }
    if (this.#host.ending()) {
      void waited.then(() => this.#slots.release());
      return false;
    }
    return true;
  }

  /**
   * Runs a record holding a slot and, while each finishes synchronously, the next record of its
   * lane (for which a slot is free). A record whose processing is a promise is booked as running
   * (`unsettled` is its booking when it waited behind its lane); its decision (`#decided`) starts
   * the next of its lane. A record handled synchronously with its lane free allocates nothing.
   */
  #run(
    firstRecord: ConsumedRecord,
    firstStep: RecordStep,
    firstUnsettled: Unsettled | undefined,
  ): void {
    let record = firstRecord;
    let step = firstStep;
    let unsettled = firstUnsettled;
    for (;;) {
      let processed: RecordFate | Promise<RecordFate>;
      try {
        processed = this.#processInGate(record, step);
      } catch (error) {
        this.#slots.release();
        if (unsettled !== undefined) {
          this.#pending -= 1;
        }
        this.#host.failed(error);
        return;
      }
      if (processed instanceof Promise) {
        if (unsettled === undefined) {
          unsettled = this.#handOffs.taken(record);
          this.#pending += 1;
          this.#lanes.running(record);
        }
        const running: TakenRecord = { record, step, unsettled };
        processed.then(
          (fate) => this.#decided(running, fate),
          (error: unknown) => {
            this.#slots.release();
            this.#pending -= 1;
            this.#host.failed(error);
          },
        );
        return;
      }
      this.#slots.release();
      this.#progress.progressed(this.#processor.lastFinishedAt);
      if (unsettled === undefined) {
        // Nothing of its lane ran before it: its lane was never busy.
        this.#handOffs.finished(record, processed);
        return;
      }
      this.#handOffs.decided(unsettled, processed);
      this.#pending -= 1;
      const next = this.#nextOfLane(record);
      if (next === undefined) {
        return;
      }
      ({ record, step, unsettled } = next);
    }
  }

  /** A running record's fate is decided: book it, and start the next record of its lane. */
  #decided(taken: TakenRecord, fate: RecordFate): void {
    this.#slots.release();
    if (this.#host.closed()) {
      return;
    }
    this.#progress.progressed(this.#processor.lastFinishedAt);
    this.#handOffs.decided(taken.unsettled, fate);
    this.#pending -= 1;
    const next = this.#nextOfLane(taken.record);
    if (next !== undefined) {
      this.#run(next.record, next.step, next.unsettled);
    }
    this.#host.wake();
  }

  /**
   * The next record of the lane `record` (just decided) held, with a slot taken for it, when it
   * may start at once; undefined otherwise (none waits, or it is started once a slot or the
   * careful gate frees, or never when the batch ends meanwhile).
   */
  #nextOfLane(record: ConsumedRecord): TakenRecord | undefined {
    const next = this.#lanes.finished(record);
    if (next === undefined) {
      return undefined;
    }
    if (this.#host.ending()) {
      this.#pending -= 1;
      return undefined;
    }
    const slot = this.#slots.acquire(this.#slotsAhead);
    const closed = this.#carefulGate.closed;
    if (slot === undefined && closed === undefined) {
      return next;
    }
    void this.#startWhenFree(next, slot);
    return undefined;
  }

  /** Starts a lane's next record once its slot (if it waits for one) and the careful gate free. */
  async #startWhenFree(next: TakenRecord, slot: Promise<void> | undefined): Promise<void> {
    if (slot !== undefined) {
      await this.#awaitSlot(slot);
    }
    for (let gate = this.#carefulGate.closed; gate !== undefined; gate = this.#carefulGate.closed) {
      await gate;
    }
    if (this.#host.ending() || this.#host.closed()) {
      this.#slots.release();
      if (!this.#host.closed()) {
        this.#pending -= 1;
        this.#host.wake();
      }
      return;
    }
    this.#run(next.record, next.step, next.unsettled);
  }

  /**
   * Marks, handles and commits past a careful record with no other record of the process in hand,
   * so that a crash meanwhile is this record's and its mark never outlives its handler call.
   */
  async #processCarefully(record: ConsumedRecord, mark: CommitMetadata): Promise<void> {
    await this.#carefulGate.alone(async () => {
      // Waiting to be alone (another partition's careful record, the records in hand) may outlast
      // the batch: a rebalance meanwhile leaves the record to whoever owns the partition next.
      if (this.#host.ending()) {
        return;
      }
      await this.#commits.commitBefore(record.offset, mark);
      const fate = await recordFate(this.#processor, this.#keyStrict, record, { kind: 'handle' });
      this.#progress.progressed(this.#processor.lastFinishedAt);
      if (fate.handOff !== undefined) {
        // The handler came back: the mark must not outlive its call. A hand-off can take as long
        // as the broker is unreachable, and the process may end meanwhile (publishes failing past
        // the publish timeout, a kill); that end is not this record's crash.
        await this.#commits.commitBefore(record.offset, this.#commits.guardMetadata());
      }
      this.#handOffs.finished(record, fate);
      await this.#commits.publishAndCommit();
    });
  }

  /**
   * Handles a record (or dead-letters it unhandled when it crashed the process too often) counted
   * in hand by the careful gate until its fate is decided. Synchronous when processing is.
   */
  #processInGate(record: ConsumedRecord, step: RecordStep): RecordFate | Promise<RecordFate> {
    if (step.kind === 'dead-letter') {
      this.#shared.logger.warn('dead-lettering a record that crashed the process', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        crashes: step.crashes,
      });
    }
    return this.#carefulGate.inHand(() =>
      recordFate(this.#processor, this.#keyStrict, record, step),
    );
  }
}
