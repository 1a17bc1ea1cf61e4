import { recordSizeBound, type ConsumedRecord, type Logger } from '@ricochet/core';
import {
  createAdmin,
  createKafkaClient,
  createServiceConsumer,
  ReliablePublisher,
  TopicDirectory,
  ServiceLifecycle,
  type ConsumedBatch,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import { systemClock } from './clock.js';
import type { CompiledDelayConsumerOptions } from './options.js';
import { PartitionHolding } from './partition-holding.js';
import { ReadAheadReleaser } from './read-ahead-releaser.js';
import { RedeliveryRouter, type PendingRedelivery } from './redelivery-route.js';
import { inspectTierRecord, type TierRecordInspection } from './tier-record.js';

/** Concurrency across partitions: reading a batch ahead is quick (inspect, route, buffer). */
const partitionsConsumedConcurrently = 16;

/**
 * Serves one tier topic. Records due within the read-ahead are kept in memory and released by
 * a timer at their due-at (see ReadAheadReleaser); the fetch moves on past them, but the
 * partition is committed only through what the broker acknowledged. A record due later pauses
 * its partition until it is nearly due, so the fetch loop (and with it the group heartbeat)
 * never waits inside a handler, and records held longer stay in Kafka, not in memory.
 */
export class DelayConsumer {
  readonly #options: CompiledDelayConsumerOptions;
  readonly #logger: Logger;
  readonly #publisher: ReliablePublisher;
  readonly #router: RedeliveryRouter;
  readonly #holding: PartitionHolding;
  readonly #releaser: ReadAheadReleaser<PendingRedelivery>;
  readonly #lifecycle: ServiceLifecycle;

  constructor(options: CompiledDelayConsumerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ role: 'delay', tier: options.tier.topic });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = createServiceConsumer(kafka, {
      groupId: options.groupId,
      sessionTimeoutMilliseconds: options.sessionTimeoutMilliseconds,
      maxWaitMilliseconds: options.maxWaitMilliseconds,
      maxBytesPerPartition: options.maxBytesPerPartition,
    });
    this.#holding = new PartitionHolding({
      topic: options.tier.topic,
      controls: consumer,
      readAheadMilliseconds: options.readAheadMilliseconds,
      clock: systemClock,
      isRunning: () => this.#lifecycle.state === 'running',
      onHeld: (held) => options.onEvent({ type: 'held', ...held }),
      logger: this.#logger,
    });
    this.#publisher = new ReliablePublisher(kafka, this.#logger, (error) =>
      options.onEvent({ type: 'publish-failed', error }),
    );
    const admin = createAdmin(kafka);
    const topics = new TopicDirectory(admin, this.#logger);
    this.#router = new RedeliveryRouter(
      topics,
      {
        tierTopic: options.tier.topic,
        dlqTopic: options.dlqTopic,
        allowedTopics: options.allowedTopics,
      },
      this.#logger,
    );
    this.#releaser = new ReadAheadReleaser(
      {
        publish: (items) => this.#router.publish(this.#publisher, items, options.onEvent),
        rewind: (partition, offset) => this.#holding.rewind(partition, offset),
        released: () => this.#holding.released(),
        commit: (partition, offset) =>
          this.#lifecycle.commitThrough(options.tier.topic, partition, offset),
      },
      this.#logger,
      options.maxRedeliveryBatch,
      systemClock,
    );
    this.#lifecycle = new ServiceLifecycle(
      `delay consumer of ${options.tier.topic}`,
      this.#logger,
      {
        consumer,
        publishing: {
          publisher: this.#publisher,
          timeoutMilliseconds: options.publishTimeoutMilliseconds,
        },
        helpers: [this.#publisher, admin],
      },
      {
        // The partitions are gone with the crash; a restart reads again from the committed offsets.
        onCrash: () => this.#forgetPartitions(),
        onEvent: (event) => {
          if (event.type === 'assigned') {
            this.#onAssignment(event.groupId, event.partitions[options.tier.topic] ?? []);
          } else {
            this.#options.onEvent(event);
          }
        },
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

  /** Partitions paused until a record is nearly due, or with records read ahead waiting. */
  get heldPartitions(): number[] {
    return [
      ...new Set([...this.#holding.heldPartitions(), ...this.#releaser.partitionsWithRecords()]),
    ];
  }

  /** Ready once running, in the group and assigned at least one partition (the /readyz rule). */
  readiness(): Readiness {
    return this.#lifecycle.readiness();
  }

  async start(): Promise<void> {
    await this.#lifecycle.start({
      topics: [this.#options.tier.topic],
      // A new delay group must still redeliver every record already waiting in the tier.
      fromBeginning: true,
      partitionsConsumedConcurrently,
      eachBatch: (batch) => this.#handleBatch(batch),
    });
  }

  /** Waits for the redeliveries under way to be acknowledged and committed, then stops. */
  async stop(): Promise<void> {
    this.#holding.stop();
    await this.#lifecycle.stop(() => this.#releaser.close());
  }

  #forgetPartitions(): void {
    this.#holding.forget();
    this.#releaser.dropAll();
  }

  /**
   * After a group join every partition is read again from its committed offset, so the records
   * read ahead are dropped (they come again) and every hold and pause is cleared (see
   * PartitionHolding.reassigned: Spring Kafka's GH-2222 and GH-2525 are the same trap).
   */
  #onAssignment(groupId: string, assigned: readonly number[]): void {
    this.#releaser.dropAll();
    this.#holding.reassigned();
    this.#options.onEvent({ type: 'assigned', groupId, partitions: assigned });
    this.#logger.info('partitions assigned', { partitions: assigned });
  }

  async #handleBatch(batch: ConsumedBatch): Promise<void> {
    const { partition } = batch;
    const first = batch.records[0];
    if (first === undefined) {
      return;
    }
    const owned = this.#releaser.partition(partition, first.offset);
    const current = (): boolean => batch.isCurrent() && this.#releaser.owns(partition, owned);
    const horizon = this.#options.readAheadMilliseconds;
    for (const record of batch.records) {
      if (!current()) {
        break;
      }
      const inspection = this.#inspect(record);
      if (inspection.kind === 'hold' && inspection.dueAt > Date.now() + horizon) {
        this.#holding.holdUntilNearlyDue(partition, record.offset, inspection.dueAt);
        break;
      }
      const pending =
        inspection.kind === 'unroutable'
          ? this.#router.deadLetter(record, inspection.reason, inspection.detail)
          : await this.#router.redelivery(record, inspection.contract);
      if (!current()) {
        break;
      }
      const bytes = recordSizeBound(pending.outgoing);
      if (!this.#releaser.hasRoomFor(owned, bytes, this.#options.readAheadBytes)) {
        this.#holding.holdForRoom(partition, record.offset, dueAtOf(inspection));
        break;
      }
      owned.buffer.add({
        offset: record.offset,
        dueAt: dueAtOf(inspection),
        bytes,
        item: pending,
      });
      // Moves the next fetch past the record; the commit waits for its acknowledgement.
      batch.resolve(record.offset);
    }
    this.#releaser.schedule();
  }

  #inspect(record: ConsumedRecord): TierRecordInspection {
    return inspectTierRecord(record, {
      now: Date.now(),
      tierDelayMilliseconds: this.#options.tier.delayMilliseconds,
      maxClockSkewMilliseconds: this.#options.maxClockSkewMilliseconds,
    });
  }
}

/** When a record read ahead may leave: its due-at, or at once if it is due or unroutable. */
function dueAtOf(inspection: TierRecordInspection): number {
  return inspection.kind === 'hold' ? inspection.dueAt : 0;
}
