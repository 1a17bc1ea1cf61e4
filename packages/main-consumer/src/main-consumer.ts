import type { Logger } from '@ricochet/core';
import {
  commitThrough,
  createKafkaClient,
  createReliableProducer,
  publishAcknowledged,
  toConsumedRecord,
  ServiceLifecycle,
  type EachBatchPayload,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import type { CompiledMainConsumerOptions } from './options.js';
import { RecordProcessor } from './record-processor.js';

/**
 * Consumes source topics and calls the handler for each record, in order per partition. A record
 * is committed only once it succeeded or was acknowledged on a tier or the dead-letter topic.
 */
export class MainConsumer<TValue> {
  readonly #options: CompiledMainConsumerOptions<TValue>;
  readonly #logger: Logger;
  readonly #processor: RecordProcessor<TValue>;
  readonly #lifecycle: ServiceLifecycle;

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      allowAutoTopicCreation: false,
    });
    const producer = createReliableProducer(kafka);
    this.#processor = new RecordProcessor(
      options,
      (record) => publishAcknowledged(producer, [record]),
      this.#logger,
    );
    this.#lifecycle = new ServiceLifecycle(
      `main consumer of group ${options.groupId}`,
      this.#logger,
      {
        consumer,
        helpers: [producer],
      },
      { onEvent: options.onEvent },
    );
  }

  get state(): ServiceState {
    return this.#lifecycle.state;
  }

  /** Why the consumer failed, when `state` is `failed`. */
  get failure(): unknown {
    return this.#lifecycle.failure;
  }

  /** Ready once running, in the group and assigned at least one partition (the /readyz rule). */
  readiness(): Readiness {
    return this.#lifecycle.readiness();
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

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    let handedOn: string | undefined;
    let lastCommitAt = Date.now();
    const commit = async (): Promise<void> => {
      if (handedOn !== undefined) {
        await commitThrough(payload, handedOn);
        handedOn = undefined;
        lastCommitAt = Date.now();
      }
    };
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) {
          break;
        }
        const record = toConsumedRecord(topic, partition, message);
        const outcome = await this.#processor.process(record);
        resolveOffset(message.offset);
        handedOn = message.offset;
        this.#options.onOutcome(outcome, record);
        this.#logger.debug('record processed', {
          topic,
          partition,
          offset: message.offset,
          outcome,
        });
        if (Date.now() - lastCommitAt >= this.#options.commitIntervalMilliseconds) {
          await commit();
        }
        await heartbeat();
      }
    } finally {
      // Commit what was handed on even when a publish failed, so the restart resumes right at
      // the record that could not be handed on, not before it.
      await commit();
    }
  }
}
