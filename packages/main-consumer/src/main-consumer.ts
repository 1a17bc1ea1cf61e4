import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { tooLargeDeadLetter, type ConsumedRecord, type Logger } from '@ricochet/core';
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
import { BatchRun, type BatchRunShared } from './batch-run.js';
import { CarefulGate } from './careful-gate.js';
import { CrashGuards, type OwnedPartition } from './crash-guards.js';
import { DeadLetterGuardControl, GuardedRecordProcessor } from './dead-letter-guard-control.js';
import { GroupRedelivery } from './group-redelivery.js';
import { InFlightSlots } from './in-flight-slots.js';
import { stateForBatch } from './heartbeating.js';
import { KeyStrict } from './key-strict.js';
import type { KeyStrictPartition } from './key-strict-partition.js';
import type { CompiledMainConsumerOptions } from './options.js';
import { progressReadiness, ProgressWatch } from './progress-watch.js';
import type { RecordOutcome } from './record-outcome.js';
import { RecordProcessor } from './record-processor.js';

/** What a partition's batches need loaded before their first record. */
interface PartitionState {
  readonly owned: OwnedPartition;
  /** Ordering `key-strict` only. */
  readonly keyStrict: KeyStrictPartition | undefined;
}

/**
 * Consumes source topics and calls the handler for each record, up to `maxInFlight` at once, in
 * the order `ordering` asks (by default each key in offset order). A record is committed only once
 * it, and every record before it, succeeded or was acknowledged on a tier or the dead-letter
 * topic; records done beyond that prefix are listed in the commit's metadata, so that the next
 * owner skips them.
 *
 * Memory stays bounded: the Kafka client fetches a broker's partitions again only once every batch of its
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
  readonly #slots: InFlightSlots;
  /** What every batch run shares: the slots, the careful gate, how to publish and commit. */
  readonly #batchRunShared: BatchRunShared;
  /** Ordering `key-strict`'s state and drains; undefined in every other ordering. */
  readonly #keyStrict: KeyStrict | undefined;
  /** Pauses consumption when too many records are dead-lettered; undefined without the option. */
  readonly #deadLetterGuard: DeadLetterGuardControl | undefined;
  /** `redelivery: 'group'`: the redelivery topic's check and priority; else undefined. */
  readonly #groupRedelivery: GroupRedelivery | undefined;

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#slots = new InFlightSlots(options.maxInFlight);
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = createServiceConsumer(kafka, {
      groupId: options.groupId,
      sessionTimeoutMilliseconds: options.sessionTimeoutMilliseconds,
      maxWaitMilliseconds: options.maxWaitMilliseconds,
    });
    this.#publisher = new ReliablePublisher(kafka, this.#logger, (error) =>
      options.onEvent({ type: 'publish-failed', error }),
    );
    const committedOffsets = new CommittedOffsetReader(kafka, options.groupId);
    this.#deadLetterGuard =
      options.deadLetterGuard === undefined
        ? undefined
        : new DeadLetterGuardControl(options.deadLetterGuard, consumer, this.#logger, (event) =>
            options.onEvent(event),
          );
    const deadLetterGuard = this.#deadLetterGuard;
    this.#groupRedelivery =
      options.redeliveryTopic === undefined
        ? undefined
        : new GroupRedelivery(
            kafka,
            consumer,
            {
              groupId: options.groupId,
              topic: options.redeliveryTopic,
              sourceTopics: options.topics,
            },
            this.#logger,
          );
    const groupRedelivery = this.#groupRedelivery;
    // Each instance signs its commit marks: marks of its own are no sign of a crash.
    this.#crashGuards = new CrashGuards(
      committedOffsets,
      randomUUID(),
      options.maxHandlerCrashes,
      this.#logger,
    );
    this.#batchRunShared = {
      options,
      logger: this.#logger,
      slots: this.#slots,
      carefulGate: new CarefulGate(),
      progress: this.#progress,
      // A record a tier without headroom over the source topics refuses as too large (its retry
      // headers grew it) goes to the dead-letter topic instead, so it is neither lost nor stuck.
      publish: (records) =>
        this.#publisher.publish(records, (refused) =>
          tooLargeDeadLetter(refused, options.dlqTopic),
        ),
      commit: async (topic, partition, offset, metadata) => {
        await this.#lifecycle.commitBefore(topic, partition, offset, metadata);
        this.#keyStrict?.committed(topic, partition, offset);
      },
      report: (record, outcome) => this.#report(record, outcome),
    };
    this.#keyStrict =
      options.ordering === 'key-strict'
        ? new KeyStrict(options as CompiledMainConsumerOptions<unknown>, {
            kafka,
            logger: this.#logger,
            publishState: (records) => this.#publisher.publish(records),
            publishHandOffs: this.#batchRunShared.publish,
            slots: this.#slots,
            carefulGate: this.#batchRunShared.carefulGate,
            progress: this.#progress,
            processor: this.#newProcessor(options as CompiledMainConsumerOptions<unknown>),
            committedOffsets,
          })
        : undefined;
    const keyStrict = this.#keyStrict;
    this.#lifecycle = new ServiceLifecycle(
      `main consumer of group ${options.groupId}`,
      this.#logger,
      {
        consumer,
        publishing: {
          publisher: this.#publisher,
          timeoutMilliseconds: options.publishTimeoutMilliseconds,
        },
        // Helpers connect in order and disconnect in the same order, after the consumer: the
        // key-strict layer stops its drains before the publisher they publish through goes.
        helpers: [
          ...(groupRedelivery === undefined ? [] : [groupRedelivery]),
          ...(keyStrict === undefined ? [] : [keyStrict]),
          this.#publisher,
          committedOffsets,
        ],
      },
      {
        onEvent: (event) => {
          if (event.type === 'assigned') {
            this.#crashGuards.keepOnly(event.partitions);
            keyStrict?.keepOnly(event.partitions);
            deadLetterGuard?.assigned(event.partitions);
            groupRedelivery?.assigned(event.partitions);
          }
          options.onEvent(event);
        },
        onCrash: () => {
          this.#crashGuards.forgetAll();
          keyStrict?.forgetAll();
          groupRedelivery?.forgetAll();
        },
        // Drains stop before this member joins again, so before a partition can move: a drain
        // step writing after the next owner loaded the partition would be out of its sight.
        onRebalancing: () => keyStrict?.forgetAll(),
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
   * Ready once running, in the group and assigned at least one partition (the /readyz rule), not
   * paused by the dead-letter guard, and not stalled: records in hand keep finishing within the
   * stall timeout.
   */
  readiness(): Readiness {
    const membership = this.#lifecycle.readiness();
    if (!membership.ready) {
      return membership;
    }
    const guarded = this.#deadLetterGuard?.readiness();
    if (guarded !== undefined) {
      return guarded;
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

  /**
   * Resumes consumption paused by the dead-letter guard (`ricochet run main` calls it on SIGUSR2),
   * with an empty window; returns whether the guard was tripped.
   */
  resumeDeadLetterGuard(): boolean {
    return this.#deadLetterGuard?.resume('operator') ?? false;
  }

  /** The share of the records counted in the guard's window that were dead-lettered; 0 without it. */
  deadLetterRatio(): number {
    return this.#deadLetterGuard?.ratio() ?? 0;
  }

  async start(): Promise<void> {
    await this.#lifecycle.start({
      topics: this.#options.topics,
      fromBeginning: this.#options.fromBeginning,
      // Every record there was written for this group after it failed: none may be skipped.
      ...(this.#options.redeliveryTopic === undefined
        ? {}
        : { topicsFromBeginning: [this.#options.redeliveryTopic] }),
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatch: (batch) => this.#handleBatch(batch),
    });
  }

  /**
   * Stops fetching and starting records, gives the running ones the revoke grace to finish,
   * commits what was handed on, disconnects.
   */
  async stop(): Promise<void> {
    this.#deadLetterGuard?.stop();
    await this.#lifecycle.stop();
  }

  /** Handles one partition's batch in hand: see `BatchRun`. */
  async #handleBatch(fetched: ConsumedBatch): Promise<void> {
    const deadLetterGuard = this.#deadLetterGuard;
    if (deadLetterGuard?.holdsBack(fetched) === true) {
      return;
    }
    const prioritized = this.#groupRedelivery?.batchStarted(fetched) ?? fetched;
    const batch =
      deadLetterGuard === undefined ? prioritized : deadLetterGuard.halting(prioritized);
    const processor = this.#newProcessor(this.#options);
    const { topic, partition } = batch;
    const { owned, keyStrict } = await stateForBatch(
      batch,
      this.#loadedState(topic, partition),
      async () => ({
        owned: await this.#crashGuards.forPartition(topic, partition),
        keyStrict: await this.#keyStrict?.forPartition(topic, partition),
      }),
    );
    await new BatchRun(this.#batchRunShared, batch, owned, processor, keyStrict).run();
  }

  /** The partition's state when every part of it is loaded already, else undefined. */
  #loadedState(topic: string, partition: number): PartitionState | undefined {
    const owned = this.#crashGuards.loaded(topic, partition);
    if (owned === undefined) {
      return undefined;
    }
    if (this.#keyStrict === undefined) {
      return { owned, keyStrict: undefined };
    }
    const keyStrict = this.#keyStrict.loaded(topic, partition);
    return keyStrict === undefined ? undefined : { owned, keyStrict };
  }

  /** A record processor; with a dead-letter guard, one whose decisions the guard counts. */
  #newProcessor<T>(options: CompiledMainConsumerOptions<T>): RecordProcessor<T> {
    const guard = this.#deadLetterGuard;
    return guard === undefined
      ? new RecordProcessor(options, this.#logger)
      : new GuardedRecordProcessor(options, this.#logger, guard);
  }

  /**
   * A record and every record before it are done (the batch resolved it): it is reported, unless
   * an earlier owner did it (it was reported then).
   */
  #report(record: ConsumedRecord, outcome: RecordOutcome | undefined): void {
    if (outcome === undefined) {
      return;
    }
    this.#options.onOutcome(outcome, record);
    this.#logger.debug('record processed', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      outcome,
    });
  }
}
