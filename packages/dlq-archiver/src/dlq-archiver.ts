import { exponentialBackoff, type Logger } from '@ricochet/core';
import type { ArchiveInput } from '@ricochet/archive';
import {
  createKafkaClient,
  createServiceConsumer,
  ServiceLifecycle,
  type ConsumedBatch,
  type Readiness,
  type ServiceState,
} from '@ricochet/kafka';
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
      format: options.format,
    });
    const kafka = createKafkaClient({ ...options.connection, logger: this.#logger });
    const consumer = createServiceConsumer(kafka, {
      groupId: options.groupId,
      sessionTimeoutMilliseconds: options.sessionTimeoutMilliseconds,
      maxWaitMilliseconds: options.maxWaitMilliseconds,
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
      eachBatch: (batch) => this.#handleBatch(batch),
    });
  }

  async stop(): Promise<void> {
    await this.#lifecycle.stop();
  }

  async #handleBatch(batch: ConsumedBatch): Promise<void> {
    const { topic, partition, records } = batch;
    const last = records.at(-1);
    if (last === undefined) {
      return;
    }
    const inputs = await Promise.all(
      records.map(async (record) =>
        toArchiveInput(
          record,
          await this.#options.searchableText(record.value),
          this.#options.format,
        ),
      ),
    );
    const stored = await this.#storeWithBackoff(inputs, batch.heartbeat, batch.isCurrent);
    if (stored === undefined) {
      return;
    }
    batch.resolve(last.offset);
    await this.#lifecycle.commitThrough(topic, partition, last.offset);
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
