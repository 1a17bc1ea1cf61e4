import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  encodeCommitMetadata,
  nextOffset,
  tooLargeDeadLetter,
  type CommitMetadata,
  type ConsumedRecord,
  type Logger,
  type OutgoingRecord,
} from '@ricochet/core';
import {
  commitBefore,
  commitThrough,
  CommittedOffsetReader,
  createKafkaClient,
  ReliablePublisher,
  toConsumedRecord,
  ServiceLifecycle,
  type EachBatchPayload,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { CrashGuards } from './crash-guards.js';
import type { CompiledMainConsumerOptions } from './options.js';
import { progressReadiness, ProgressWatch } from './progress-watch.js';
import { CarefulGate } from './careful-gate.js';
import { RecordProcessor, type RecordOutcome } from './record-processor.js';

/**
 * Records queued for a tier or the dead-letter topic are published together once this many are
 * waiting (and at the end of every batch, and before every commit): one acknowledged request
 * for many, rather than a round trip per failed record.
 */
const maxHandOffBatch = 500;

/**
 * How often, at most, a batch's watchdog runs while the batch is in hand. It asks kafkajs to
 * heartbeat, so that a handler call longer than the session timeout does not get the member
 * evicted (kafkajs sends one only when its heartbeat interval, 3 s, has passed, so asking more
 * often costs nothing), and it fails a handler call past the handler timeout.
 */
const maxWatchdogMilliseconds = 1_000;

/** A handler call is failed within a tenth of the handler timeout past it (a second at most). */
function watchdogMilliseconds(handlerTimeoutMilliseconds: number): number {
  return Math.min(maxWatchdogMilliseconds, Math.ceil(handlerTimeoutMilliseconds / 10));
}

/** A record handled, waiting to be resolved and reported until the hand-offs before it are acknowledged. */
interface Settling {
  readonly record: ConsumedRecord;
  readonly outcome: RecordOutcome;
}

/** The outcome of a record its tier refused as too large, which went to the dead-letter topic. */
function diverted({ record, outcome }: Settling): Settling {
  const tryCount = outcome.kind === 'skipped-other-group' ? 0 : outcome.tryCount;
  return { record, outcome: { kind: 'dead-lettered', reason: 'record-too-large', tryCount } };
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

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = kafkajsClientOf(kafka).consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      allowAutoTopicCreation: false,
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
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.#handleBatch(payload),
    });
  }

  /** Stops fetching, lets the record in hand finish, commits what was handed on, disconnects. */
  async stop(): Promise<void> {
    await this.#lifecycle.stop();
  }

  /**
   * Handles the batch's records in order. A failed record is queued for its tier (or the
   * dead-letter topic) and the next record is handled at once; the queue is published in one
   * acknowledged request when it is full, at the end of the batch and before every commit. Only
   * then are the queued records, and every record handled after the first of them, resolved,
   * reported and committable: nothing is committed past a record not yet handed on.
   */
  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    // One queue per batch: with partitions handled concurrently, a batch must publish (and so
    // settle) only its own records.
    let queued: OutgoingRecord[] = [];
    const processor = new RecordProcessor(
      this.#options,
      async (outgoing) => void queued.push(outgoing),
      this.#logger,
    );
    let settling: Settling[] = [];
    /** For each queued record, the index of its own record in `settling`. */
    let queuedFrom: number[] = [];
    let handedOn: string | undefined;
    // The processor's clock (monotonic), read once per record rather than once more here.
    let lastCommitAt = processor.lastFinishedAt;
    const settle = ({ record, outcome }: Settling): void => {
      resolveOffset(record.offset);
      handedOn = record.offset;
      this.#options.onOutcome(outcome, record);
      this.#logger.debug('record processed', {
        topic,
        partition,
        offset: record.offset,
        outcome,
      });
    };
    const publishQueued = async (): Promise<void> => {
      const waiting = settling;
      const publishing = queued;
      const from = queuedFrom;
      // Cleared first: if the publish fails, none of these records may be settled later.
      settling = [];
      queued = [];
      queuedFrom = [];
      // A tier without headroom over the source topics may refuse a record its retry headers made
      // too large: it goes to the dead-letter topic instead, so it is neither lost nor stuck.
      const divertedIndexes = await this.#publisher.publish(publishing, (refused) =>
        tooLargeDeadLetter(refused, this.#options.dlqTopic),
      );
      for (const index of divertedIndexes) {
        const position = from[index]!;
        waiting[position] = diverted(waiting[position]!);
      }
      waiting.forEach(settle);
    };
    const guard = await this.#crashGuards.forPartition(topic, partition);
    const commit = async (metadata = guard.commitMetadata()): Promise<void> => {
      if (handedOn !== undefined) {
        await commitThrough(payload, handedOn, encodeCommitMetadata(metadata));
        guard.committed(nextOffset(handedOn));
        handedOn = undefined;
        lastCommitAt = performance.now();
      }
    };
    /** Commits up to the record at `offset` with `metadata`: everything before it is settled. */
    const commitBeforeRecord = async (offset: string, metadata: CommitMetadata): Promise<void> => {
      await publishQueued();
      await commitBefore(payload, offset, encodeCommitMetadata(metadata));
      guard.committed(offset);
      handedOn = undefined;
      lastCommitAt = performance.now();
    };
    /** Drops the guard: nothing is in hand, and no record of this partition comes right next. */
    const commitEnd = async (): Promise<void> => {
      const metadata = guard.endMetadata();
      if (handedOn !== undefined) {
        await commit(metadata);
      } else if (guard.committedBefore !== undefined) {
        await commitBefore(payload, guard.committedBefore, encodeCommitMetadata(metadata));
      }
    };
    /** Records a finished record: settled now, or once the hand-offs before it are acknowledged. */
    const taken = (record: ConsumedRecord, outcome: RecordOutcome): void => {
      this.#progress.progressed(processor.lastFinishedAt);
      if (queued.length > queuedFrom.length) {
        queuedFrom.push(settling.length);
      }
      if (queued.length > 0) {
        settling.push({ record, outcome });
      } else {
        settle({ record, outcome });
      }
    };
    let ended = false;
    this.#progress.batchStarted(performance.now());
    const watchdog = setInterval(() => {
      processor.expireOverdue(performance.now());
      void this.#heartbeatDuringRecord(heartbeat, topic, partition);
    }, watchdogMilliseconds(this.#options.handlerTimeoutMilliseconds));
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) {
          break;
        }
        const record = toConsumedRecord(topic, partition, message);
        const step = guard.beforeRecord(record.offset);
        if (step.kind === 'mark' && step.metadata.attempt !== undefined) {
          // Careful: marked, handled and committed past with no other record of the process in
          // hand, so that a crash meanwhile is this record's and its mark never outlives it.
          await this.#carefulGate.alone(async () => {
            await commitBeforeRecord(record.offset, step.metadata);
            const processed = processor.process(record);
            taken(record, processed instanceof Promise ? await processed : processed);
            await publishQueued();
            await commit();
          });
          await heartbeat();
          continue;
        }
        if (step.kind === 'mark') {
          await commitBeforeRecord(record.offset, step.metadata);
        } else if (step.kind === 'dead-letter') {
          this.#logger.warn('dead-lettering a record that crashed the process', {
            topic,
            partition,
            offset: record.offset,
            crashes: step.crashes,
          });
        }
        const closed = this.#carefulGate.closed;
        if (closed !== undefined) {
          await closed;
        }
        this.#carefulGate.enter();
        let outcome: RecordOutcome;
        try {
          const processed =
            step.kind === 'dead-letter'
              ? processor.deadLetterCrashed(record, step.crashes)
              : processor.process(record);
          // Awaited only when it is a promise: a record handled synchronously costs no microtask.
          outcome = processed instanceof Promise ? await processed : processed;
        } finally {
          this.#carefulGate.leave();
        }
        taken(record, outcome);
        if (queued.length >= maxHandOffBatch) {
          await publishQueued();
        }
        if (processor.lastFinishedAt - lastCommitAt >= this.#options.commitIntervalMilliseconds) {
          await publishQueued();
          await commit();
        }
        await heartbeat();
      }
      await publishQueued();
      // No record follows right after this batch: the service stops, the fetch moved, or the
      // partition is read to its end (an idle or stopped service then leaves no suspect range).
      ended = !isRunning() || isStale() || batch.offsetLag() === '0';
    } catch (error) {
      // The batch is abandoned (a publish failed, a rebalance): the process did not crash.
      ended = true;
      throw error;
    } finally {
      clearInterval(watchdog);
      try {
        // Commit what was handed on even when a publish failed, so the restart resumes right at
        // the first record that was not handed on, not before it.
        await (ended ? commitEnd() : commit());
      } finally {
        this.#progress.batchEnded();
      }
    }
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
