import { nextOffset, RicochetError, type Logger } from '@ricochet/core';
import {
  createKafkaClient,
  createReliableProducer,
  publishAcknowledged,
  toConsumedRecord,
  type Consumer,
  type EachBatchPayload,
  type Producer,
} from '@ricochet/kafka';
import type { CompiledMainConsumerOptions } from './options.js';
import { RecordProcessor } from './record-processor.js';

/** The one lifecycle state of a main consumer. */
export type MainConsumerState =
  'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export class MainConsumerError extends RicochetError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { code: 'MAIN_CONSUMER', ...options });
  }
}

/**
 * Consumes source topics and calls the handler for each record, in order per partition. A record
 * is committed only once it succeeded or was acknowledged on a tier or the dead-letter topic.
 */
export class MainConsumer<TValue> {
  readonly #options: CompiledMainConsumerOptions<TValue>;
  readonly #logger: Logger;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #processor: RecordProcessor<TValue>;
  #state: MainConsumerState = 'created';
  #failure: unknown;

  constructor(options: CompiledMainConsumerOptions<TValue>) {
    this.#options = options;
    this.#logger = options.logger.child({ role: 'main', group: options.groupId });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      allowAutoTopicCreation: false,
    });
    this.#producer = createReliableProducer(kafka);
    this.#processor = new RecordProcessor(
      options,
      (record) => publishAcknowledged(this.#producer, [record]),
      this.#logger,
    );
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.#state = 'failed';
        this.#failure = payload.error;
        this.#logger.error('consumer crashed and will not restart', { error: payload.error });
      }
    });
  }

  get state(): MainConsumerState {
    return this.#state;
  }

  /** Why the consumer failed, when `state` is `failed`. */
  get failure(): unknown {
    return this.#failure;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') {
      throw new MainConsumerError(`cannot start a main consumer that is ${this.#state}`);
    }
    this.#state = 'starting';
    try {
      await this.#producer.connect();
      await this.#consumer.connect();
      await this.#consumer.subscribe({
        topics: [...this.#options.topics],
        fromBeginning: this.#options.fromBeginning,
      });
      await this.#consumer.run({
        autoCommit: false,
        // Never let kafkajs mark a whole batch consumed: only records that were handed on count.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.#handleBatch(payload),
      });
    } catch (error) {
      this.#state = 'failed';
      this.#failure = error;
      await this.#disconnect();
      throw new MainConsumerError(
        `main consumer for group ${this.#options.groupId} failed to start`,
        { cause: error },
      );
    }
    this.#state = 'running';
    this.#logger.info('main consumer running', { topics: this.#options.topics });
  }

  /** Stops fetching, lets the record in hand finish, commits what was handed on, disconnects. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') {
      return;
    }
    this.#state = 'stopping';
    await this.#disconnect();
    this.#state = 'stopped';
    this.#logger.info('main consumer stopped');
  }

  async #disconnect(): Promise<void> {
    await this.#consumer.disconnect();
    await this.#producer.disconnect();
  }

  async #handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    let handedOn: string | undefined;
    let lastCommitAt = Date.now();
    const commit = async (): Promise<void> => {
      if (handedOn !== undefined) {
        await commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: nextOffset(handedOn) }] }],
        });
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
