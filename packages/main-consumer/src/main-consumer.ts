import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  redeliveryGroup,
  tooLargeDeadLetter,
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
  type KafkaClient,
  type Readiness,
  type ServiceConsumer,
  type ServiceState,
} from '@ricochet/kafka';
import { BatchRun, type BatchRunShared } from './batch-run.js';
import { CarefulGate } from './careful-gate.js';
import { CrashGuards, type OwnedPartition } from './crash-guards.js';
import { DeadLetterGuardControl, GuardedRecordProcessor } from './dead-letter-guard-control.js';
import { defaultMaxBytesPerPartition } from './defaults.js';
import { RedeliveryTopicCheck, routedControls } from './group-redelivery.js';
import { createRedeliveryReader, type Reader } from './redelivery-reader.js';
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
  readonly #progress = new ProgressWatch(performance.now());
  readonly #slots: InFlightSlots;
  /** The source topics' consumer. */
  readonly #source: Reader;
  /**
   * `redelivery: 'group'`: the redelivery topic's consumer, whose fetches never wait for the
   * source's batches; undefined with redelivery to the source.
   */
  readonly #redelivery: Reader | undefined;
  /** Ordering `key-strict`'s state and drains; undefined in every other ordering. */
  readonly #keyStrict: KeyStrict | undefined;
  /** Pauses consumption when too many records are dead-lettered; undefined without the option. */
  readonly #deadLetterGuard: DeadLetterGuardControl | undefined;

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#slots = new InFlightSlots(options.maxInFlight);
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = this.#newConsumer(kafka, options.groupId, options.maxBytesPerPartition);
    const redeliveryTopic = options.redeliveryTopic;
    const redeliveryConsumer =
      redeliveryTopic === undefined
        ? undefined
        : // Large fetches: a reader behind catches up in few fetch cycles (a smaller cap, like
          // the source's may be, made it fall further behind in a burst, docs/benchmarks.md).
          this.#newConsumer(kafka, redeliveryGroup(options.groupId), defaultMaxBytesPerPartition);
    this.#publisher = new ReliablePublisher(kafka, this.#logger, (error) =>
      options.onEvent({ type: 'publish-failed', error }),
    );
    const committedOffsets = new CommittedOffsetReader(kafka, options.groupId);
    this.#deadLetterGuard =
      options.deadLetterGuard === undefined
        ? undefined
        : new DeadLetterGuardControl(
            options.deadLetterGuard,
            redeliveryConsumer === undefined || redeliveryTopic === undefined
              ? consumer
              : routedControls(consumer, { topic: redeliveryTopic, controls: redeliveryConsumer }),
            this.#logger,
            (event) => options.onEvent(event),
          );
    // Each instance signs its commit marks: marks of its own are no sign of a crash.
    const signature = randomUUID();
    const batchRunShared: Omit<BatchRunShared, 'commit'> = {
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
      report: (record, outcome) => this.#report(record, outcome),
    };
    this.#keyStrict =
      options.ordering === 'key-strict'
        ? new KeyStrict(options as CompiledMainConsumerOptions<unknown>, {
            kafka,
            logger: this.#logger,
            publishState: (records) => this.#publisher.publish(records),
            publishHandOffs: batchRunShared.publish,
            slots: this.#slots,
            carefulGate: batchRunShared.carefulGate,
            progress: this.#progress,
            processor: this.#newProcessor(options as CompiledMainConsumerOptions<unknown>),
            committedOffsets,
          })
        : undefined;
    const keyStrict = this.#keyStrict;
    const sourceCrashGuards = new CrashGuards(
      committedOffsets,
      signature,
      options.maxHandlerCrashes,
      this.#logger,
    );
    const sourceLifecycle: ServiceLifecycle = new ServiceLifecycle(
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
          ...(redeliveryTopic === undefined
            ? []
            : [
                new RedeliveryTopicCheck(kafka, {
                  groupId: options.groupId,
                  topic: redeliveryTopic,
                }),
              ]),
          ...(keyStrict === undefined ? [] : [keyStrict]),
          this.#publisher,
          committedOffsets,
        ],
      },
      {
        onEvent: (event) => {
          if (event.type === 'assigned') {
            sourceCrashGuards.keepOnly(event.partitions);
            keyStrict?.keepOnly(event.partitions);
            this.#deadLetterGuard?.assigned(event.groupId, event.partitions);
          }
          options.onEvent(event);
        },
        onCrash: () => {
          sourceCrashGuards.forgetAll();
          keyStrict?.forgetAll();
        },
        // Drains stop before this member joins again, so before a partition can move: a drain
        // step writing after the next owner loaded the partition would be out of its sight.
        onRebalancing: () => keyStrict?.forgetAll(),
      },
    );
    this.#source = {
      lifecycle: sourceLifecycle,
      crashGuards: sourceCrashGuards,
      batchRunShared: {
        ...batchRunShared,
        commit: async (topic, partition, offset, metadata) => {
          await sourceLifecycle.commitBefore(topic, partition, offset, metadata);
          keyStrict?.committed(topic, partition, offset);
        },
      },
    };
    this.#redelivery =
      redeliveryConsumer === undefined
        ? undefined
        : createRedeliveryReader(kafka, redeliveryConsumer, {
            groupId: options.groupId,
            maxHandlerCrashes: options.maxHandlerCrashes,
            signature,
            logger: this.#logger,
            batchRunShared,
            onEvent: (event) => {
              if (event.type === 'assigned') {
                this.#deadLetterGuard?.assigned(event.groupId, event.partitions);
              }
              options.onEvent(event);
            },
          });
  }

  /** The consumer of `groupId`, with the main consumer's session and fetch wait. */
  #newConsumer(kafka: KafkaClient, groupId: string, maxBytesPerPartition: number): ServiceConsumer {
    return createServiceConsumer(kafka, {
      groupId,
      sessionTimeoutMilliseconds: this.#options.sessionTimeoutMilliseconds,
      maxWaitMilliseconds: this.#options.maxWaitMilliseconds,
      maxBytesPerPartition,
    });
  }

  /** `failed` when either consumer failed; else the source consumer's state. */
  get state(): ServiceState {
    return this.#redelivery?.lifecycle.state === 'failed' ? 'failed' : this.#source.lifecycle.state;
  }

  /** Why the consumer failed, when `state` is `failed`. */
  get failure(): unknown {
    return this.#source.lifecycle.failure ?? this.#redelivery?.lifecycle.failure;
  }

  /**
   * Ready once running, in the group and assigned at least one partition (the /readyz rule), not
   * paused by the dead-letter guard, and not stalled: records in hand keep finishing within the
   * stall timeout. The redelivery reader only must not have failed: an instance may own none of
   * the redelivery topic's partitions.
   */
  readiness(): Readiness {
    const membership = this.#source.lifecycle.readiness();
    if (!membership.ready) {
      return membership;
    }
    if (this.#redelivery?.lifecycle.state === 'failed') {
      return this.#redelivery.lifecycle.readiness();
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
    const readers =
      this.#redelivery === undefined ? [this.#source] : [this.#source, this.#redelivery];
    return readers
      .flatMap((reader) => [...reader.crashGuards.owned()])
      .map((owned) => ({
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

  /**
   * Starts the source consumer (its helpers first: the redelivery topic's check, the publisher),
   * then the redelivery reader; a reader that cannot start stops the source consumer again.
   */
  async start(): Promise<void> {
    await this.#source.lifecycle.start({
      topics: this.#options.topics,
      fromBeginning: this.#options.fromBeginning,
      partitionsConsumedConcurrently: this.#options.concurrency,
      eachBatch: (batch) => this.#handleBatch(this.#source, batch),
    });
    const redelivery = this.#redelivery;
    const redeliveryTopic = this.#options.redeliveryTopic;
    if (redelivery === undefined || redeliveryTopic === undefined) {
      return;
    }
    try {
      await redelivery.lifecycle.start({
        topics: [redeliveryTopic],
        // Every record there was written for this group after it failed: none may be skipped.
        fromBeginning: true,
        partitionsConsumedConcurrently: this.#options.concurrency,
        eachBatch: (batch) => this.#handleBatch(redelivery, batch),
      });
    } catch (error) {
      await this.#source.lifecycle.stop();
      throw error;
    }
  }

  /**
   * Stops fetching and starting records, gives the running ones the revoke grace to finish,
   * commits what was handed on, disconnects. The redelivery reader stops first, while the source
   * consumer still runs, so that its hand-offs still have the publisher.
   */
  async stop(): Promise<void> {
    this.#deadLetterGuard?.stop();
    await this.#source.lifecycle.stop(async () => {
      await this.#redelivery?.lifecycle.stop();
    });
  }

  /** Handles one partition's batch in hand, fetched by `reader`: see `BatchRun`. */
  async #handleBatch(reader: Reader, fetched: ConsumedBatch): Promise<void> {
    const deadLetterGuard = this.#deadLetterGuard;
    if (deadLetterGuard?.holdsBack(fetched) === true) {
      return;
    }
    const batch = deadLetterGuard === undefined ? fetched : deadLetterGuard.halting(fetched);
    const processor = this.#newProcessor(this.#options);
    const { topic, partition } = batch;
    const keyStrict = reader === this.#source ? this.#keyStrict : undefined;
    const state = await stateForBatch(
      batch,
      this.#loadedState(reader.crashGuards, keyStrict, topic, partition),
      async () => ({
        owned: await reader.crashGuards.forPartition(topic, partition),
        keyStrict: await keyStrict?.forPartition(topic, partition),
      }),
    );
    await new BatchRun(reader.batchRunShared, batch, state.owned, processor, state.keyStrict).run();
  }

  /** The partition's state when every part of it is loaded already, else undefined. */
  #loadedState(
    crashGuards: CrashGuards,
    keyStrict: KeyStrict | undefined,
    topic: string,
    partition: number,
  ): PartitionState | undefined {
    const owned = crashGuards.loaded(topic, partition);
    if (owned === undefined) {
      return undefined;
    }
    if (keyStrict === undefined) {
      return { owned, keyStrict: undefined };
    }
    const loaded = keyStrict.loaded(topic, partition);
    return loaded === undefined ? undefined : { owned, keyStrict: loaded };
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
