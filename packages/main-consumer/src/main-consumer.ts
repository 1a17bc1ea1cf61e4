import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  encodeCommitMetadata,
  nextOffset,
  tooLargeDeadLetter,
  type CommitMetadata,
  type ConsumedRecord,
  type Logger,
} from '@ricochet/core';
import {
  CommittedOffsetReader,
  createKafkaClient,
  createServiceConsumer,
  ReliablePublisher,
  ServiceLifecycle,
  type ConsumedBatch,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import { CarefulGate } from './careful-gate.js';
import type { PartitionCrashGuard, RecordStep } from './crash-guard.js';
import { CrashGuards, type OwnedPartition } from './crash-guards.js';
import { DoneRecords, mergeOffsets } from './done-records.js';
import { HandOffs, type PublishHandOffs, type Unsettled } from './hand-offs.js';
import { InFlightSlots } from './in-flight-slots.js';
import { isBefore } from './offsets.js';
import { OrderingLanes } from './ordering.js';
import type { CompiledMainConsumerOptions } from './options.js';
import { progressReadiness, ProgressWatch } from './progress-watch.js';
import type { RecordFate, RecordOutcome } from './record-outcome.js';
import { RecordProcessor } from './record-processor.js';

/**
 * How often, at most, a batch's watchdog runs while the batch is in hand. It asks for a
 * heartbeat, so that a handler call longer than the session timeout does not get the member
 * evicted (one is sent only once the heartbeat interval has passed, see ConsumedBatch, so asking
 * more often costs nothing), and it fails a handler call past the handler timeout.
 */
const maxWatchdogMilliseconds = 1_000;

/** A handler call is failed within a tenth of the handler timeout past it (a second at most). */
function watchdogMilliseconds(handlerTimeoutMilliseconds: number): number {
  return Math.min(maxWatchdogMilliseconds, Math.ceil(handlerTimeoutMilliseconds / 10));
}

/** A record the batch's cursor has passed and will start: its crash-guard step, its bookkeeping. */
interface TakenRecord {
  readonly record: ConsumedRecord;
  readonly step: RecordStep;
  /** Its booking as taken and not decided (it waits, or runs asynchronously). */
  readonly unsettled: Unsettled;
}

/** A batch in hand, and what its records running at once share. */
interface BatchInHand<TValue> {
  readonly batch: ConsumedBatch;
  readonly owned: OwnedPartition;
  readonly guard: PartitionCrashGuard;
  readonly handOffs: HandOffs;
  readonly processor: RecordProcessor<TValue>;
  readonly lanes: OrderingLanes<TakenRecord>;
  /** Records taken whose fate is not decided: running, or waiting for their lane or a slot. */
  pending: number;
  /** No record is started any more: the partition is revoked, the service stops, or one failed. */
  ending: boolean;
  /** The heartbeat's rejection (a rebalance), rethrown once the running records had their grace. */
  rejoin: { readonly error: unknown } | undefined;
  /** A record's processing threw (not the handler: Ricochet's own code); the batch fails with it. */
  failure: { readonly error: unknown } | undefined;
  /** The batch returned: a late decision only gives its slot back. */
  closed: boolean;
  /** How many records done beyond the first not done the last commit listed. */
  doneCommitted: number;
  /** Wakes the batch's own flow when a record is decided or the batch starts ending. */
  wake: (() => void) | undefined;
}

/**
 * Consumes source topics and calls the handler for each record, up to `maxInFlight` at once, in
 * the order `ordering` asks (by default each key in offset order). A record is committed only once
 * it, and every record before it, succeeded or was acknowledged on a tier or the dead-letter
 * topic; records done beyond that prefix are listed in the commit's metadata, so that the next
 * owner skips them.
 *
 * Memory stays bounded: kafkajs fetches a broker's partitions again only once every batch of its
 * last fetch is handled, so what is in hand is one fetch per broker (`maxBytes`, 10 MiB by
 * default) plus the handler calls abandoned after a revoke grace, until the handler timeout.
 */
export class MainConsumer<TValue> {
  readonly #options: CompiledMainConsumerOptions<TValue>;
  readonly #logger: Logger;
  readonly #publisher: ReliablePublisher;
  readonly #lifecycle: ServiceLifecycle;
  readonly #progress = new ProgressWatch(performance.now());
  readonly #crashGuards: CrashGuards;
  readonly #carefulGate = new CarefulGate();
  readonly #slots: InFlightSlots;
  /**
   * Publishes a batch's hand-offs, acknowledged. A record a tier without headroom over the source
   * topics refuses as too large (its retry headers grew it) goes to the dead-letter topic
   * instead, so it is neither lost nor stuck.
   */
  readonly #publishHandOffs: PublishHandOffs = (records) =>
    this.#publisher.publish(records, (refused) =>
      tooLargeDeadLetter(refused, this.#options.dlqTopic),
    );

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#slots = new InFlightSlots(options.maxInFlight);
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = createServiceConsumer(kafka, {
      groupId: options.groupId,
      sessionTimeoutMilliseconds: options.sessionTimeoutMilliseconds,
    });
    this.#publisher = new ReliablePublisher(kafka, this.#logger, (error) =>
      options.onEvent({ type: 'publish-failed', error }),
    );
    const committedOffsets = new CommittedOffsetReader(kafka, options.groupId);
    // Each instance signs its commit marks: marks of its own are no sign of a crash.
    this.#crashGuards = new CrashGuards(
      committedOffsets,
      randomUUID(),
      options.maxHandlerCrashes,
      this.#logger,
    );
    this.#lifecycle = new ServiceLifecycle(
      `main consumer of group ${options.groupId}`,
      this.#logger,
      {
        consumer,
        publishing: {
          publisher: this.#publisher,
          timeoutMilliseconds: options.publishTimeoutMilliseconds,
        },
        helpers: [this.#publisher, committedOffsets],
      },
      {
        onEvent: (event) => {
          if (event.type === 'assigned') {
            this.#crashGuards.keepOnly(event.partitions);
          }
          options.onEvent(event);
        },
        onCrash: () => this.#crashGuards.forgetAll(),
      },
    );
  }

  get state(): ServiceState {
    return this.#lifecycle.state;
  }

  /** Why the consumer failed, when `state` is `failed`. */
  get failure(): unknown {
    return this.#lifecycle.failure;
  }

  /**
   * Ready once running, in the group and assigned at least one partition (the /readyz rule), and
   * not stalled: records in hand keep finishing within the stall timeout.
   */
  readiness(): Readiness {
    const membership = this.#lifecycle.readiness();
    if (!membership.ready) {
      return membership;
    }
    return progressReadiness(this.secondsWithoutProgress(), this.#options.stallTimeoutMilliseconds);
  }

  /** How long records have waited in hand with none finishing; 0 while nothing waits. */
  secondsWithoutProgress(): number {
    return this.#progress.secondsWithoutProgress(performance.now());
  }

  /** Records being handled now, across all partitions. */
  get inFlight(): number {
    return this.#slots.inUse;
  }

  /** Per partition owned, how many records are done beyond the first record not done. */
  partitionGaps(): readonly { topic: string; partition: number; doneBeyondCommitted: number }[] {
    return [...this.#crashGuards.owned()].map((owned) => ({
      topic: owned.topic,
      partition: owned.partition,
      doneBeyondCommitted: owned.gap(),
    }));
  }

  async start(): Promise<void> {
    await this.#lifecycle.start({
      topics: this.#options.topics,
      fromBeginning: this.#options.fromBeginning,
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatch: (batch) => this.#handleBatch(batch),
    });
  }

  /**
   * Stops fetching and starting records, gives the running ones the revoke grace to finish,
   * commits what was handed on, disconnects.
   */
  async stop(): Promise<void> {
    await this.#lifecycle.stop();
  }

  /**
   * Handles the batch's records, as many at once as the ordering and the free slots allow. The
   * cursor takes records in offset order; a record whose lane is busy waits behind it, and a
   * record that finishes starts the next of its lane. A failed record's hand-off is queued for
   * its tier (or the dead-letter topic) and published in one acknowledged request when the queue
   * is full, at the end of the batch and before every commit. Only the contiguous prefix of done
   * records is settled, reported and committable; the records done beyond it travel in the
   * commit's metadata. Nothing is committed past a record not yet handed on.
   *
   * When the partition is revoked or the service stops, no record is started any more and the
   * running ones get `revokeGraceMilliseconds` to finish; what is done is then committed, and
   * the rest is left to the next owner.
   */
  async #handleBatch(batch: ConsumedBatch): Promise<void> {
    const { topic, partition, heartbeat } = batch;
    const processor = new RecordProcessor(this.#options, this.#logger);
    const owned = await this.#crashGuards.forPartition(topic, partition);
    // One bookkeeping per batch: with partitions handled concurrently, a batch must publish (and
    // so settle) only its own records.
    const handOffs = new HandOffs({
      settle: (record, outcome) => this.#settled(batch, record, outcome),
      commitIntervalMilliseconds: this.#options.commitIntervalMilliseconds,
      startedAt: processor.lastFinishedAt,
    });
    const inHand: BatchInHand<TValue> = {
      batch,
      owned,
      guard: owned.guard,
      handOffs,
      processor,
      lanes: new OrderingLanes(this.#options.ordering),
      pending: 0,
      ending: false,
      rejoin: undefined,
      failure: undefined,
      closed: false,
      doneCommitted: 0,
      wake: undefined,
    };
    owned.gap = () => handOffs.doneBeyondCount + owned.done.notReached().length;
    let ended = false;
    this.#progress.batchStarted(performance.now());
    const watchdog = setInterval(() => {
      processor.expireOverdue(performance.now());
      if (inHand.closed) {
        // Abandoned calls are still given up on at the handler timeout, so their slots come back.
        if (processor.pendingCalls === 0) {
          clearInterval(watchdog);
        }
        return;
      }
      if (!batch.isCurrent()) {
        this.#beginEnding(inHand);
      }
      void this.#heartbeatDuringRecord(inHand);
      // A batch waiting on its running records still commits on the commit interval.
      this.#wake(inHand);
    }, watchdogMilliseconds(this.#options.handlerTimeoutMilliseconds));
    try {
      for (const record of batch.records) {
        if (inHand.ending || !batch.isCurrent()) {
          break;
        }
        const taking = this.#take(inHand, record);
        // Awaited only when it is a promise: a record handled synchronously costs no microtask.
        if (taking !== undefined) {
          await taking;
        }
        if (handOffs.publishDue) {
          await handOffs.publishQueued(this.#publishHandOffs);
        }
        if (handOffs.commitDue(processor.lastFinishedAt)) {
          await this.#publishAndCommit(inHand);
        }
        try {
          await heartbeat();
        } catch (error) {
          this.#beginEnding(inHand, { rejoin: error });
        }
      }
      await this.#awaitDecided(inHand);
      if (inHand.ending) {
        await this.#awaitGrace(inHand);
      }
      if (inHand.failure !== undefined) {
        throw inHand.failure.error;
      }
      await handOffs.publishQueued(this.#publishHandOffs);
      if (inHand.rejoin !== undefined) {
        throw inHand.rejoin.error;
      }
      // No record follows right after this batch: the service stops, the fetch moved, the
      // partition is revoked or read to its end (an idle or stopped service then leaves no
      // suspect range).
      ended = inHand.ending || !batch.isCurrent() || batch.readToEnd;
    } catch (error) {
      // The batch is abandoned (a publish failed, a rebalance): the process did not crash. The
      // records still running get the grace, so that what they finish is committed.
      ended = true;
      this.#beginEnding(inHand);
      await this.#awaitGrace(inHand);
      throw error;
    } finally {
      inHand.closed = true;
      if (processor.pendingCalls === 0) {
        clearInterval(watchdog);
      }
      try {
        // Commit what was handed on even when a publish failed, so the restart resumes right at
        // the first record that was not handed on, not before it.
        await (ended ? this.#commitEnd(inHand) : this.#commitHandedOn(inHand));
      } finally {
        const done = this.#doneBeyond(inHand);
        owned.done = new DoneRecords(done);
        owned.gap = () => owned.done.notReached().length;
        this.#progress.batchEnded();
      }
    }
  }

  /**
   * Takes the batch's next record: skips it when an earlier owner did it, runs it carefully
   * when the crash guard says so, else starts it now (a free slot awaited) or queues it behind
   * its lane. Returns a promise only when something must be awaited: a record handled
   * synchronously with a free slot costs no promise and no microtask here.
   */
  #take(inHand: BatchInHand<TValue>, record: ConsumedRecord): Promise<void> | undefined {
    const { owned, guard, handOffs } = inHand;
    if (!owned.done.exhausted && owned.done.has(record.offset)) {
      this.#logger.debug('record skipped: an earlier owner of the partition had it done', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      });
      handOffs.skipped(record);
      return undefined;
    }
    const step = guard.beforeRecord(record.offset);
    if (step.kind === 'mark' || this.#carefulGate.closed !== undefined) {
      return this.#takeAfterCommit(inHand, record, step);
    }
    return this.#startOrQueue(inHand, record, step);
  }

  /**
   * Takes a record that needs a commit first (a careful record runs alone after it; a new crash
   * guard is written before it), or that waits for a careful record elsewhere to finish.
   */
  async #takeAfterCommit(
    inHand: BatchInHand<TValue>,
    record: ConsumedRecord,
    step: RecordStep,
  ): Promise<void> {
    if (step.kind === 'mark' && step.metadata.attempt !== undefined) {
      await this.#awaitDecided(inHand);
      if (!inHand.ending) {
        await this.#processCarefully(inHand, record, step.metadata);
      }
      return;
    }
    if (step.kind === 'mark') {
      await this.#commitMark(inHand, record.offset, step.metadata);
    }
    for (let gate = this.#carefulGate.closed; gate !== undefined; gate = this.#carefulGate.closed) {
      await gate;
    }
    await this.#startOrQueue(inHand, record, step);
  }

  /** Starts a record now when its lane and a slot are free; else queues it, or awaits them. */
  #startOrQueue(
    inHand: BatchInHand<TValue>,
    record: ConsumedRecord,
    step: RecordStep,
  ): Promise<void> | undefined {
    if (!inHand.lanes.mayStart(record)) {
      if (this.#options.ordering === 'partition') {
        // One record at a time: the cursor waits rather than queue the whole batch.
        return this.#startWhenDecided(inHand, record, step);
      }
      inHand.pending += 1;
      inHand.lanes.wait({ record, step, unsettled: inHand.handOffs.taken(record) });
      return undefined;
    }
    const slot = this.#slots.acquire();
    if (slot !== undefined) {
      return this.#startWithSlot(inHand, record, step, slot);
    }
    this.#run(inHand, record, step, undefined);
    return undefined;
  }

  /** `partition` ordering: starts the record once the one before it is decided. */
  async #startWhenDecided(
    inHand: BatchInHand<TValue>,
    record: ConsumedRecord,
    step: RecordStep,
  ): Promise<void> {
    await this.#awaitDecided(inHand);
    if (!inHand.ending) {
      await this.#startOrQueue(inHand, record, step);
    }
  }

  /** Starts the record once `slot` is taken, unless the batch ends meanwhile. */
  async #startWithSlot(
    inHand: BatchInHand<TValue>,
    record: ConsumedRecord,
    step: RecordStep,
    slot: Promise<void>,
  ): Promise<void> {
    if (await this.#awaitSlotUnlessEnding(inHand, slot)) {
      this.#run(inHand, record, step, undefined);
    }
  }

  /** Waits for a free slot, and reports how long the wait was. */
  async #awaitSlot(slot: Promise<void>): Promise<void> {
    const blockedAt = performance.now();
    await slot;
    this.#options.onEvent({
      type: 'in-flight-blocked',
      seconds: (performance.now() - blockedAt) / 1000,
    });
  }

  /**
   * Waits for a free slot for the cursor's record, or for the batch to end meanwhile (the revoke
   * grace must not wait on other partitions' handlers): then the slot, once it comes, is given
   * back, and false is returned.
   */
  async #awaitSlotUnlessEnding(inHand: BatchInHand<TValue>, slot: Promise<void>): Promise<boolean> {
    let taken = false;
    const waited = this.#awaitSlot(slot).then(() => {
      taken = true;
      this.#wake(inHand);
    });
    while (!taken && !inHand.ending) {
      await new Promise<void>((resolve) => {
        inHand.wake = resolve;
      });
    }
    if (inHand.ending) {
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
    inHand: BatchInHand<TValue>,
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
        processed = this.#processInGate(inHand.processor, record, step);
      } catch (error) {
        this.#slots.release();
        if (unsettled !== undefined) {
          inHand.pending -= 1;
        }
        this.#failed(inHand, error);
        return;
      }
      if (processed instanceof Promise) {
        if (unsettled === undefined) {
          unsettled = inHand.handOffs.taken(record);
          inHand.pending += 1;
          inHand.lanes.running(record);
        }
        const running: TakenRecord = { record, step, unsettled };
        processed.then(
          (fate) => this.#decided(inHand, running, fate),
          (error: unknown) => {
            this.#slots.release();
            inHand.pending -= 1;
            this.#failed(inHand, error);
          },
        );
        return;
      }
      this.#slots.release();
      this.#progress.progressed(inHand.processor.lastFinishedAt);
      if (unsettled === undefined) {
        // Nothing of its lane ran before it: its lane was never busy.
        inHand.handOffs.finished(record, processed);
        return;
      }
      inHand.handOffs.decided(unsettled, processed);
      inHand.pending -= 1;
      const next = this.#nextOfLane(inHand, record);
      if (next === undefined) {
        return;
      }
      ({ record, step, unsettled } = next);
    }
  }

  /** A running record's fate is decided: book it, and start the next record of its lane. */
  #decided(inHand: BatchInHand<TValue>, taken: TakenRecord, fate: RecordFate): void {
    this.#slots.release();
    if (inHand.closed) {
      return;
    }
    this.#progress.progressed(inHand.processor.lastFinishedAt);
    inHand.handOffs.decided(taken.unsettled!, fate);
    inHand.pending -= 1;
    const next = this.#nextOfLane(inHand, taken.record);
    if (next !== undefined) {
      this.#run(inHand, next.record, next.step, next.unsettled);
    }
    this.#wake(inHand);
  }

  /**
   * The next record of the lane `record` (just decided) held, with a slot taken for it, when it
   * may start at once; undefined otherwise (none waits, or it is started once a slot or the
   * careful gate frees, or never when the batch ends meanwhile).
   */
  #nextOfLane(inHand: BatchInHand<TValue>, record: ConsumedRecord): TakenRecord | undefined {
    const next = inHand.lanes.finished(record);
    if (next === undefined) {
      return undefined;
    }
    if (inHand.ending) {
      inHand.pending -= 1;
      return undefined;
    }
    const slot = this.#slots.acquire();
    const closed = this.#carefulGate.closed;
    if (slot === undefined && closed === undefined) {
      return next;
    }
    void (async () => {
      if (slot !== undefined) {
        await this.#awaitSlot(slot);
      }
      for (
        let gate = this.#carefulGate.closed;
        gate !== undefined;
        gate = this.#carefulGate.closed
      ) {
        await gate;
      }
      if (inHand.ending || inHand.closed) {
        this.#slots.release();
        if (!inHand.closed) {
          inHand.pending -= 1;
          this.#wake(inHand);
        }
        return;
      }
      this.#run(inHand, next.record, next.step, next.unsettled);
    })();
    return undefined;
  }

  /**
   * Ricochet's own processing of a record threw (not the handler: its throw is a fate): the
   * record stays unsettled, the batch ends and fails with the error.
   */
  #failed(inHand: BatchInHand<TValue>, error: unknown): void {
    if (inHand.closed) {
      this.#logger.warn('a record abandoned with its batch failed', { error });
      return;
    }
    inHand.failure ??= { error };
    this.#beginEnding(inHand);
  }

  /** No record of the batch is started any more; the records waiting for their lane are dropped. */
  #beginEnding(inHand: BatchInHand<TValue>, reason?: { readonly rejoin: unknown }): void {
    if (reason !== undefined && inHand.rejoin === undefined) {
      inHand.rejoin = { error: reason.rejoin };
    }
    if (inHand.ending) {
      return;
    }
    inHand.ending = true;
    inHand.pending -= inHand.lanes.abandonWaiting().length;
    this.#wake(inHand);
  }

  #wake(inHand: BatchInHand<TValue>): void {
    const wake = inHand.wake;
    inHand.wake = undefined;
    wake?.();
  }

  /**
   * Waits until no record taken is undecided or the batch ends, committing on the commit interval
   * meanwhile.
   */
  async #awaitDecided(inHand: BatchInHand<TValue>): Promise<void> {
    while (inHand.pending > 0 && !inHand.ending) {
      await new Promise<void>((resolve) => {
        inHand.wake = resolve;
      });
      const { handOffs } = inHand;
      if (handOffs.publishDue) {
        await handOffs.publishQueued(this.#publishHandOffs);
      }
      if (!inHand.ending && handOffs.commitDue(performance.now())) {
        await this.#publishAndCommit(inHand);
      }
    }
  }

  /** The batch ends (revoked, stopping): the running records get the revoke grace, no more. */
  async #awaitGrace(inHand: BatchInHand<TValue>): Promise<void> {
    const graceEndsAt = performance.now() + this.#options.revokeGraceMilliseconds;
    while (inHand.pending > 0) {
      const left = graceEndsAt - performance.now();
      if (left <= 0) {
        this.#logger.warn(
          'handlers still running after the revoke grace; their records are left to the next owner',
          {
            topic: inHand.batch.topic,
            partition: inHand.batch.partition,
            running: inHand.pending,
            graceMilliseconds: this.#options.revokeGraceMilliseconds,
          },
        );
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        inHand.wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /**
   * Marks, handles and commits past a careful record with no other record of the process in hand,
   * so that a crash meanwhile is this record's and its mark never outlives it.
   */
  async #processCarefully(
    inHand: BatchInHand<TValue>,
    record: ConsumedRecord,
    mark: CommitMetadata,
  ): Promise<void> {
    await this.#carefulGate.alone(async () => {
      await this.#commitBefore(inHand, record.offset, mark);
      const fate = await inHand.processor.process(record);
      this.#progress.progressed(inHand.processor.lastFinishedAt);
      inHand.handOffs.finished(record, fate);
      await this.#publishAndCommit(inHand);
    });
  }

  /**
   * Handles a record (or dead-letters it unhandled when it crashed the process too often) counted
   * in hand by the careful gate until its fate is decided. Synchronous when processing is.
   */
  #processInGate(
    processor: RecordProcessor<TValue>,
    record: ConsumedRecord,
    step: RecordStep,
  ): RecordFate | Promise<RecordFate> {
    if (step.kind === 'dead-letter') {
      this.#logger.warn('dead-lettering a record that crashed the process', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        crashes: step.crashes,
      });
    }
    this.#carefulGate.enter();
    let processed: RecordFate | Promise<RecordFate>;
    try {
      processed =
        step.kind === 'dead-letter'
          ? processor.deadLetterCrashed(record, step.crashes)
          : processor.process(record);
    } catch (error) {
      this.#carefulGate.leave();
      throw error;
    }
    if (processed instanceof Promise) {
      return processed.finally(() => this.#carefulGate.leave());
    }
    this.#carefulGate.leave();
    return processed;
  }

  /**
   * A record and every record before it are done: the fetch may pass it, and it is reported
   * (unless an earlier owner did it: it was reported then).
   */
  #settled(batch: ConsumedBatch, record: ConsumedRecord, outcome: RecordOutcome | undefined): void {
    batch.resolve(record.offset);
    if (outcome === undefined) {
      return;
    }
    this.#options.onOutcome(outcome, record);
    this.#logger.debug('record processed', {
      topic: batch.topic,
      partition: batch.partition,
      offset: record.offset,
      outcome,
    });
  }

  /** Publishes the queued hand-offs, then commits every record settled. */
  async #publishAndCommit(inHand: BatchInHand<TValue>): Promise<void> {
    await inHand.handOffs.publishQueued(this.#publishHandOffs);
    await this.#commitHandedOn(inHand);
  }

  /**
   * Commits through the last record settled, if no commit covered it yet; or, when records were
   * done beyond the first not done since the last commit, up to that record, so the metadata
   * tells a next owner to skip them.
   */
  async #commitHandedOn(
    inHand: BatchInHand<TValue>,
    metadata: CommitMetadata = inHand.guard.commitMetadata(),
  ): Promise<void> {
    const { handOffs } = inHand;
    const through = handOffs.committable;
    if (through !== undefined) {
      await this.#commitAt(inHand, nextOffset(through), metadata);
      return;
    }
    const firstUnsettled = handOffs.firstUnsettled;
    if (firstUnsettled !== undefined && handOffs.doneBeyondCount !== inHand.doneCommitted) {
      await this.#commitAt(inHand, firstUnsettled, metadata);
    }
  }

  /** Commits up to the record at `offset` with `metadata`, once everything before it is settled. */
  async #commitBefore(
    inHand: BatchInHand<TValue>,
    offset: string,
    metadata: CommitMetadata,
  ): Promise<void> {
    await inHand.handOffs.publishQueued(this.#publishHandOffs);
    await this.#commitAt(inHand, offset, metadata);
  }

  /**
   * Writes a new crash guard before the record at `offset` starts: committed up to the first
   * record not settled (records before `offset` may still run), or up to `offset` itself.
   */
  async #commitMark(
    inHand: BatchInHand<TValue>,
    offset: string,
    metadata: CommitMetadata,
  ): Promise<void> {
    await inHand.handOffs.publishQueued(this.#publishHandOffs);
    await this.#commitAt(inHand, inHand.handOffs.firstUnsettled ?? offset, metadata);
  }

  /** Drops the guard: no record is started any more, and none of this partition comes right next. */
  async #commitEnd(inHand: BatchInHand<TValue>): Promise<void> {
    const { guard, handOffs } = inHand;
    const metadata = guard.endMetadata();
    const firstUnsettled = handOffs.firstUnsettled;
    if (handOffs.committable !== undefined) {
      await this.#commitHandedOn(inHand, metadata);
    } else if (firstUnsettled !== undefined) {
      // Nothing settled since the last commit, but records done beyond may be: list them.
      await this.#commitAt(inHand, firstUnsettled, metadata);
    } else if (guard.committedBefore !== undefined) {
      await this.#commitAt(inHand, guard.committedBefore, metadata);
    }
  }

  /** The records done beyond the first not done: this batch's, and those it has not reached. */
  #doneBeyond(inHand: BatchInHand<TValue>): string[] {
    return mergeOffsets(inHand.handOffs.doneBeyond(), inHand.owned.done.notReached());
  }

  /**
   * The one commit of the partition: up to, not including, `offset`, with the records done
   * beyond it, and who must know of it.
   */
  async #commitAt(
    inHand: BatchInHand<TValue>,
    offset: string,
    metadata: CommitMetadata,
  ): Promise<void> {
    const { batch, guard, handOffs } = inHand;
    const done = this.#doneBeyond(inHand).filter((doneOffset) => isBefore(offset, doneOffset));
    const withDone: CommitMetadata = done.length === 0 ? metadata : { ...metadata, done };
    await this.#lifecycle.commitBefore(
      batch.topic,
      batch.partition,
      offset,
      encodeCommitMetadata(withDone),
    );
    guard.committed(offset);
    handOffs.committed(offset, performance.now());
    inHand.doneCommitted = handOffs.doneBeyondCount;
  }

  /**
   * A heartbeat sent while records are in hand. Its failure (a rebalance began, the member was
   * fenced) cannot stop the calls in hand: the batch starts no record any more, gives the
   * running ones the revoke grace, commits what is done and ends with the failure.
   */
  async #heartbeatDuringRecord(inHand: BatchInHand<TValue>): Promise<void> {
    const { batch } = inHand;
    try {
      await batch.heartbeat();
    } catch (error) {
      this.#logger.info('heartbeat while records are in hand failed; the batch ends', {
        topic: batch.topic,
        partition: batch.partition,
        error,
      });
      if (!inHand.closed) {
        this.#beginEnding(inHand, { rejoin: error });
      }
    }
  }
}
