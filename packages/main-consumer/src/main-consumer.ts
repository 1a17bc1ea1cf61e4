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
import { CrashGuards } from './crash-guards.js';
import { HandOffs, type PublishHandOffs } from './hand-offs.js';
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

/** A batch in hand: its partition's crash guard, and the bookkeeping of its hand-offs. */
interface BatchInHand {
  readonly batch: ConsumedBatch;
  readonly guard: PartitionCrashGuard;
  readonly handOffs: HandOffs;
}

/**
 * Consumes source topics and calls the handler for each record, in order per partition. A record
 * is committed only once it succeeded or was acknowledged on a tier or the dead-letter topic.
 */
export class MainConsumer<TValue> {
  readonly #options: CompiledMainConsumerOptions<TValue>;
  readonly #logger: Logger;
  readonly #publisher: ReliablePublisher;
  readonly #lifecycle: ServiceLifecycle;
  readonly #progress = new ProgressWatch(performance.now());
  readonly #crashGuards: CrashGuards;
  readonly #carefulGate = new CarefulGate();
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

  async start(): Promise<void> {
    await this.#lifecycle.start({
      topics: this.#options.topics,
      fromBeginning: this.#options.fromBeginning,
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatch: (batch) => this.#handleBatch(batch),
    });
  }

  /** Stops fetching, lets the record in hand finish, commits what was handed on, disconnects. */
  async stop(): Promise<void> {
    await this.#lifecycle.stop();
  }

  /**
   * Handles the batch's records in order. A failed record's hand-off is queued for its tier (or
   * the dead-letter topic) and the next record is handled at once; the queue is published in one
   * acknowledged request when it is full, at the end of the batch and before every commit. Only
   * then are the queued records, and every record handled after the first of them, resolved,
   * reported and committable: nothing is committed past a record not yet handed on.
   */
  async #handleBatch(batch: ConsumedBatch): Promise<void> {
    const { topic, partition, heartbeat } = batch;
    const processor = new RecordProcessor(this.#options, this.#logger);
    // One bookkeeping per batch: with partitions handled concurrently, a batch must publish (and
    // so settle) only its own records.
    const handOffs = new HandOffs({
      settle: (record, outcome) => this.#settled(batch, record, outcome),
      commitIntervalMilliseconds: this.#options.commitIntervalMilliseconds,
      startedAt: processor.lastFinishedAt,
    });
    const inHand: BatchInHand = {
      batch,
      handOffs,
      guard: await this.#crashGuards.forPartition(topic, partition),
    };
    let ended = false;
    this.#progress.batchStarted(performance.now());
    const watchdog = setInterval(() => {
      processor.expireOverdue(performance.now());
      void this.#heartbeatDuringRecord(heartbeat, topic, partition);
    }, watchdogMilliseconds(this.#options.handlerTimeoutMilliseconds));
    try {
      for (const record of batch.records) {
        if (!batch.isCurrent()) {
          break;
        }
        const step = inHand.guard.beforeRecord(record.offset);
        if (step.kind === 'mark' && step.metadata.attempt !== undefined) {
          await this.#processCarefully(inHand, processor, record, step.metadata);
        } else {
          if (step.kind === 'mark') {
            await this.#commitBefore(inHand, record.offset, step.metadata);
          }
          const closed = this.#carefulGate.closed;
          if (closed !== undefined) {
            await closed;
          }
          const processed = this.#processInGate(processor, record, step);
          // Awaited only when it is a promise: a record handled synchronously costs no microtask.
          this.#finished(
            processor,
            handOffs,
            record,
            processed instanceof Promise ? await processed : processed,
          );
          if (handOffs.publishDue) {
            await handOffs.publishQueued(this.#publishHandOffs);
          }
          if (handOffs.commitDue(processor.lastFinishedAt)) {
            await this.#publishAndCommit(inHand);
          }
        }
        await heartbeat();
      }
      await handOffs.publishQueued(this.#publishHandOffs);
      // No record follows right after this batch: the service stops, the fetch moved, or the
      // partition is read to its end (an idle or stopped service then leaves no suspect range).
      ended = !batch.isCurrent() || batch.readToEnd;
    } catch (error) {
      // The batch is abandoned (a publish failed, a rebalance): the process did not crash.
      ended = true;
      throw error;
    } finally {
      clearInterval(watchdog);
      try {
        // Commit what was handed on even when a publish failed, so the restart resumes right at
        // the first record that was not handed on, not before it.
        await (ended ? this.#commitEnd(inHand) : this.#commitHandedOn(inHand));
      } finally {
        this.#progress.batchEnded();
      }
    }
  }

  /**
   * Marks, handles and commits past a careful record with no other record of the process in hand,
   * so that a crash meanwhile is this record's and its mark never outlives it.
   */
  async #processCarefully(
    inHand: BatchInHand,
    processor: RecordProcessor<TValue>,
    record: ConsumedRecord,
    mark: CommitMetadata,
  ): Promise<void> {
    await this.#carefulGate.alone(async () => {
      await this.#commitBefore(inHand, record.offset, mark);
      this.#finished(processor, inHand.handOffs, record, await processor.process(record));
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

  /** A record's fate is decided: it counts as progress, and its hand-off is booked. */
  #finished(
    processor: RecordProcessor<TValue>,
    handOffs: HandOffs,
    record: ConsumedRecord,
    fate: RecordFate,
  ): void {
    this.#progress.progressed(processor.lastFinishedAt);
    handOffs.finished(record, fate);
  }

  /** A record handed on, and every record before it: the fetch may pass it, and it is reported. */
  #settled(batch: ConsumedBatch, record: ConsumedRecord, outcome: RecordOutcome): void {
    batch.resolve(record.offset);
    this.#options.onOutcome(outcome, record);
    this.#logger.debug('record processed', {
      topic: batch.topic,
      partition: batch.partition,
      offset: record.offset,
      outcome,
    });
  }

  /** Publishes the queued hand-offs, then commits every record settled. */
  async #publishAndCommit(inHand: BatchInHand): Promise<void> {
    await inHand.handOffs.publishQueued(this.#publishHandOffs);
    await this.#commitHandedOn(inHand);
  }

  /** Commits through the last record settled, if no commit covered it yet. */
  async #commitHandedOn(
    inHand: BatchInHand,
    metadata: CommitMetadata = inHand.guard.commitMetadata(),
  ): Promise<void> {
    const through = inHand.handOffs.committable;
    if (through !== undefined) {
      await this.#commitAt(inHand, nextOffset(through), metadata);
    }
  }

  /** Commits up to the record at `offset` with `metadata`, once everything before it is settled. */
  async #commitBefore(
    inHand: BatchInHand,
    offset: string,
    metadata: CommitMetadata,
  ): Promise<void> {
    await inHand.handOffs.publishQueued(this.#publishHandOffs);
    await this.#commitAt(inHand, offset, metadata);
  }

  /** Drops the guard: nothing is in hand, and no record of this partition comes right next. */
  async #commitEnd(inHand: BatchInHand): Promise<void> {
    const { guard, handOffs } = inHand;
    const metadata = guard.endMetadata();
    if (handOffs.committable !== undefined) {
      await this.#commitHandedOn(inHand, metadata);
    } else if (guard.committedBefore !== undefined) {
      await this.#commitAt(inHand, guard.committedBefore, metadata);
    }
  }

  /** The one commit of the partition: up to, not including, `offset`, and who must know of it. */
  async #commitAt(
    { batch, guard, handOffs }: BatchInHand,
    offset: string,
    metadata: CommitMetadata,
  ): Promise<void> {
    await this.#lifecycle.commitBefore(
      batch.topic,
      batch.partition,
      offset,
      encodeCommitMetadata(metadata),
    );
    guard.committed(offset);
    handOffs.committed(offset, performance.now());
  }

  /**
   * A heartbeat sent while a record is in hand. Its failure (a rebalance began, the member was
   * fenced) cannot stop the call in hand; the batch loop's own heartbeat after the record meets
   * the same answer and ends the batch, so here it is only logged.
   */
  async #heartbeatDuringRecord(
    heartbeat: () => Promise<void>,
    topic: string,
    partition: number,
  ): Promise<void> {
    try {
      await heartbeat();
    } catch (error) {
      this.#logger.info('heartbeat while a record is in hand failed; the batch ends after it', {
        topic,
        partition,
        error,
      });
    }
  }
}
