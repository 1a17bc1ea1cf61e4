import { exponentialBackoff, type Logger } from '@ricochet/core';
import type { ArchiveInput } from '@ricochet/archive';
import {
  commitThrough,
  createKafkaClient,
  ServiceLifecycle,
  toConsumedRecord,
  type EachBatchPayload,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { toArchiveInput } from './archive-input.js';
import { storeReadiness, type StoreWriteState } from './store-health.js';
import type { CompiledDlqArchiverOptions } from './options.js';

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** How often to heartbeat while waiting out a store outage: well inside any session timeout. */
const heartbeatWhileWaitingMilliseconds = 1_000;

/**
 * Consumes the dead-letter topic and stores each batch in the archive, committing only once the
 * store has it. A store that is down stops consumption (the batch is retried with backoff, the
 * group membership kept alive) instead of committing past records it did not store. The store
 * skips records it already has, so a batch stored but not committed before a crash is archived
 * once when it is read again.
 */
export class DlqArchiver {
  readonly #options: CompiledDlqArchiverOptions;
  readonly #logger: Logger;
  readonly #lifecycle: ServiceLifecycle;
  #storeWrite: StoreWriteState = { insertingSince: undefined, failure: undefined };

  constructor(options: CompiledDlqArchiverOptions) {
    this.#options = options;
    this.#logger = options.logger.child({
      role: 'dlq',
      topic: options.dlqTopic,
      store: options.store.kind,
    });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = kafkajsClientOf(kafka).consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMilliseconds,
      allowAutoTopicCreation: false,
    });
    this.#lifecycle = new ServiceLifecycle(
      `archiver of ${options.dlqTopic}`,
      this.#logger,
      { consumer, helpers: [] },
      { onEvent: options.onEvent },
    );
  }

  get state(): ServiceState {
    return this.#lifecycle.state;
  }

  get failure(): unknown {
    return this.#lifecycle.failure;
  }

  /**
   * Ready once running, in the group and assigned at least one partition (the /readyz rule), and
   * while the store takes its writes (see storeReadiness).
   */
  readiness(): Readiness {
    const consuming = this.#lifecycle.readiness();
    if (!consuming.ready) {
      return consuming;
    }
    return storeReadiness(this.#storeWrite, Date.now(), this.#options.storeStallMilliseconds);
  }

  async start(): Promise<void> {
    await this.#options.store.migrate();
    await this.#lifecycle.start({
      topics: [this.#options.dlqTopic],
      fromBeginning: true,
      eachBatch: (payload) => this.#handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.#lifecycle.stop();
  }

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const last = batch.messages.at(-1);
    if (last === undefined) {
      return;
    }
    const inputs = await Promise.all(
      batch.messages.map(async (message) => {
        const record = toConsumedRecord(topic, partition, message);
        return toArchiveInput(record, await this.#options.searchableText(record.value));
      }),
    );
    const stored = await this.#storeWithBackoff(inputs, heartbeat, () => isRunning() && !isStale());
    if (stored === undefined) {
      return;
    }
    await commitThrough(payload, last.offset);
    this.#options.onArchived(stored, inputs.length - stored);
    this.#logger.debug('archived batch', {
      partition,
      lastOffset: last.offset,
      stored,
      duplicates: inputs.length - stored,
    });
  }

  /** Resolves to the number stored, or undefined when the consumer stopped before the store came back. */
  async #storeWithBackoff(
    inputs: readonly ArchiveInput[],
    heartbeat: () => Promise<void>,
    stillOwned: () => boolean,
  ): Promise<number | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.#storeWrite = { ...this.#storeWrite, insertingSince: Date.now() };
        const stored = await this.#options.store.insert(inputs);
        this.#storeWrite = { insertingSince: undefined, failure: undefined };
        return stored;
      } catch (error) {
        this.#storeWrite = { insertingSince: undefined, failure: error };
        const wait = exponentialBackoff(
          attempt,
          this.#options.initialStoreBackoffMilliseconds,
          this.#options.maxStoreBackoffMilliseconds,
        );
        this.#logger.error(
          'storing dead letters failed; consumption paused until the store is back',
          {
            error,
            attempt,
            retryInMilliseconds: wait,
            records: inputs.length,
          },
        );
        for (let waited = 0; waited < wait; waited += heartbeatWhileWaitingMilliseconds) {
          if (!stillOwned()) {
            return undefined;
          }
          await heartbeat();
          await sleep(Math.min(heartbeatWhileWaitingMilliseconds, wait - waited));
        }
      }
    }
  }
}
