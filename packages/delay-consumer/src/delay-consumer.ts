import { setTimeout as sleep } from 'node:timers/promises';
import {
  presentHeaders,
  tooLargeDeadLetter,
  unroutableDeadLetter,
  type ConsumedRecord,
  type DeadLetterReason,
  type Logger,
  type OutgoingRecord,
  type RetryContract,
} from '@ricochet/core';
import {
  commitThrough,
  createKafkaClient,
  ReliablePublisher,
  toConsumedRecord,
  TopicDirectory,
  ServiceLifecycle,
  type Consumer,
  type EachBatchPayload,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import { HoldTimers } from './hold-timers.js';
import type { CompiledDelayConsumerOptions } from './options.js';
import { inspectTierRecord, isInternalTopic, type TierRecordInspection } from './tier-record.js';

/** Concurrency across partitions: handling a batch is quick (inspect, publish, commit). */
const partitionsConsumedConcurrently = 16;

/** A record on its way out of the tier, with the event to report once it is acknowledged. */
interface PendingRedelivery {
  readonly outgoing: OutgoingRecord;
  readonly offset: string;
  readonly route:
    | { readonly kind: 'redelivered'; readonly dueAt: number }
    | { readonly kind: 'dead-lettered'; readonly reason: DeadLetterReason };
}

/**
 * Serves one tier topic. A record that is not yet due pauses its partition: the consumer seeks
 * back to it and resumes the partition when it is due, so the fetch loop (and with it the group
 * heartbeat) never waits inside a handler, and held records stay in Kafka, not in memory. A due
 * record is published to its original topic, and committed only after the broker acknowledged.
 */
export class DelayConsumer {
  readonly #options: CompiledDelayConsumerOptions;
  readonly #logger: Logger;
  readonly #consumer: Consumer;
  readonly #publisher: ReliablePublisher;
  readonly #topics: TopicDirectory;
  readonly #timers = new HoldTimers();
  readonly #ricochetTopics: ReadonlySet<string>;
  readonly #lifecycle: ServiceLifecycle;

  constructor(options: CompiledDelayConsumerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ role: 'delay', tier: options.tier.topic });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      maxWaitTimeInMs: options.maxWaitTimeMilliseconds,
      maxBytesPerPartition: options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    this.#publisher = new ReliablePublisher(kafka, this.#logger);
    const admin = kafka.admin();
    this.#topics = new TopicDirectory(admin, this.#logger);
    this.#ricochetTopics = new Set([options.tier.topic, options.dlqTopic]);
    this.#lifecycle = new ServiceLifecycle(
      `delay consumer of ${options.tier.topic}`,
      this.#logger,
      { consumer: this.#consumer, helpers: [this.#publisher, admin] },
      {
        // The partitions are gone with the crash; a restart holds again from the committed offsets.
        onCrash: () => this.#timers.cancelAll(),
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

  /** Partitions currently paused until their first record is due. */
  get heldPartitions(): number[] {
    return this.#timers.heldPartitions();
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
      eachBatch: (payload) => this.#handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.#timers.cancelAll();
    await this.#lifecycle.stop();
  }

  /**
   * kafkajs keeps a partition's paused state across rebalances. A partition paused here, revoked
   * and later assigned back would stay paused with no timer to resume it, so: cancel the timers
   * of revoked partitions and clear their pause, and resume any assigned partition that is
   * paused without a timer. (Spring Kafka's GH-2222 and GH-2525 are the same trap.)
   */
  #onAssignment(groupId: string, assigned: readonly number[]): void {
    const topic = this.#options.tier.topic;
    const assignedNow = new Set(assigned);
    for (const partition of this.#timers.heldPartitions()) {
      if (!assignedNow.has(partition)) {
        this.#timers.cancel(partition);
        this.#consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
    const paused = this.#consumer.paused().find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const partition of paused) {
      if (!this.#timers.has(partition)) {
        this.#consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
    this.#options.onEvent({ type: 'assigned', groupId, partitions: assigned });
    this.#logger.info('partitions assigned', {
      partitions: assigned,
      held: this.#timers.heldPartitions(),
    });
  }

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    let pending: PendingRedelivery[] = [];
    const flush = async (): Promise<void> => {
      const last = pending.at(-1);
      if (last === undefined) {
        return;
      }
      // An original topic may refuse a redelivery that its retry headers made too large.
      const diverted = await this.#publisher.publish(
        pending.map((item) => item.outgoing),
        (refused) => tooLargeDeadLetter(refused, this.#options.dlqTopic),
      );
      const acknowledgedAt = Date.now();
      pending.forEach(({ outgoing, route }, index) => {
        this.#options.onEvent(
          diverted.has(index)
            ? { type: 'dead-lettered', reason: 'record-too-large' }
            : route.kind === 'redelivered'
              ? {
                  type: 'redelivered',
                  topic: outgoing.topic,
                  latenessMilliseconds: acknowledgedAt - route.dueAt,
                }
              : { type: 'dead-lettered', reason: route.reason },
        );
      });
      await commitThrough(payload, last.offset);
      pending = [];
      await heartbeat();
    };

    // A record due within what is left of this budget is waited for here: pausing would cost
    // a fetch round trip (up to the fetch wait) and re-reading the rest of the partition.
    let waitBudget = this.#options.maxWaitTimeMilliseconds;
    for (const message of batch.messages) {
      const record = toConsumedRecord(topic, partition, message);
      let inspection = this.#inspect(record);
      while (inspection.kind === 'hold' && inspection.dueAt - Date.now() <= waitBudget) {
        await flush();
        const wait = Math.max(0, inspection.dueAt - Date.now());
        waitBudget -= wait;
        await sleep(wait);
        inspection = this.#inspect(record);
      }
      if (!isRunning() || isStale()) {
        break;
      }
      if (inspection.kind === 'hold') {
        await flush();
        this.#hold(partition, message.offset, inspection.dueAt);
        return;
      }
      pending.push({
        offset: message.offset,
        ...(inspection.kind === 'due'
          ? await this.#redelivery(record, inspection.contract)
          : this.#deadLetter(record, inspection.reason, inspection.detail)),
      });
      if (pending.length >= this.#options.maxRedeliveryBatch) {
        await flush();
      }
    }
    await flush();
  }

  #inspect(record: ConsumedRecord): TierRecordInspection {
    return inspectTierRecord(record, {
      now: Date.now(),
      tierDelayMilliseconds: this.#options.tier.delayMilliseconds,
      maxClockSkewMilliseconds: this.#options.maxClockSkewMilliseconds,
    });
  }

  #hold(partition: number, offset: string, dueAt: number): void {
    const topic = this.#options.tier.topic;
    this.#consumer.pause([{ topic, partitions: [partition] }]);
    this.#consumer.seek({ topic, partition, offset });
    this.#timers.schedule(partition, dueAt, () => {
      if (this.#lifecycle.state === 'running') {
        this.#consumer.resume([{ topic, partitions: [partition] }]);
      }
    });
    this.#options.onEvent({ type: 'held', partition, offset, dueAt });
    this.#logger.debug('holding partition', {
      partition,
      offset,
      dueAt,
      waitMilliseconds: dueAt - Date.now(),
    });
  }

  async #redelivery(
    record: ConsumedRecord,
    contract: RetryContract,
  ): Promise<Omit<PendingRedelivery, 'offset'>> {
    const target = contract.original.topic;
    if (isInternalTopic(target, this.#ricochetTopics)) {
      return this.#deadLetter(
        record,
        'internal-original-topic',
        `original-topic ${target} is an internal or Ricochet topic`,
      );
    }
    const lookup = await this.#topics.lookup(target);
    if (!lookup.exists) {
      return this.#deadLetter(
        record,
        'unknown-original-topic',
        `original-topic ${target} does not exist`,
      );
    }
    const { partition } = contract.original;
    return {
      outgoing: {
        topic: target,
        // Back to the partition it came from, unless the topic has since been recreated smaller.
        ...(partition < lookup.partitions ? { partition } : {}),
        key: record.key,
        value: record.value,
        headers: presentHeaders(record.headers),
      },
      route: { kind: 'redelivered', dueAt: contract.dueAt },
    };
  }

  #deadLetter(
    record: ConsumedRecord,
    reason: DeadLetterReason,
    detail: string,
  ): Omit<PendingRedelivery, 'offset'> {
    this.#logger.warn('dead-lettering an unroutable tier record', {
      partition: record.partition,
      offset: record.offset,
      reason,
      detail,
    });
    return {
      outgoing: unroutableDeadLetter(record, this.#options.dlqTopic, reason, detail),
      route: { kind: 'dead-lettered', reason },
    };
  }
}
