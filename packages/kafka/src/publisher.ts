import {
  chunkBySize,
  recordBatchOverheadBytes,
  recordSizeBound,
  type Logger,
  type OutgoingRecord,
} from '@ricochet/core';
import { PublishError, type ReliableProducer } from './producer.js';
import { createReliableProducer } from './producers.js';
import type { KafkaClient } from './client.js';
import type { PublishHealth } from './publish-health.js';

/**
 * The most one request carries. Kafka limits each partition's batch to the topic's
 * max.message.bytes (1 MiB unless set): staying well below it means a request is refused for
 * size only because one record is too large on its own, or a topic's limit is unusually low.
 */
const requestBudgetBytes = 512 * 1024;

/** The broker's refusals of a record or batch too large for the topic (or its log segment). */
const tooLargeErrorTypes: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
]);

/** The client's own error under a PublishError. */
function clientError(error: unknown): unknown {
  return error instanceof PublishError ? error.cause : error;
}

function isTooLarge(error: unknown): boolean {
  const cause = clientError(error);
  // Either driver's error names the broker's refusal in `type`.
  const type = (cause as { type?: unknown } | null | undefined)?.type;
  return typeof type === 'string' && tooLargeErrorTypes.has(type);
}

/** A record its topic refused as larger than its max.message.bytes, with nowhere else to go. */
export class RecordTooLargeError extends PublishError {
  readonly topic: string;

  constructor(message: string, topic: string, cause: unknown) {
    super(message, cause);
    this.topic = topic;
  }
}

/**
 * Where a record its topic refused as too large goes instead (the dead-letter topic), or
 * undefined when it has nowhere else to go.
 */
export type Divert = (refused: OutgoingRecord) => OutgoingRecord | undefined;

/**
 * Publishes records acknowledged (`acks=all`, idempotent), in requests small enough for the
 * default topic limits, and deals with a record a topic refuses as too large by publishing
 * `divert(record)` instead. Publishes are serialised: see `#replaceProducer`.
 */
export class ReliablePublisher {
  readonly #kafka: KafkaClient;
  readonly #logger: Logger;
  #producer: ReliableProducer;
  /** Set while the producer may be out of step with the broker and must be replaced first. */
  #stale = false;
  /** When the first publish failed since the last one that succeeded (epoch milliseconds). */
  #failingSince: number | undefined;
  #lastFailedAt: number | undefined;
  #lastError: unknown;
  /** Publishes under way or waiting their turn. */
  #publishing = 0;
  readonly #onFailure: (error: unknown) => void;
  #queue: Promise<unknown> = Promise.resolve();

  /** `onFailure` hears of every failed publish (a metric), after the failure was recorded. */
  constructor(kafka: KafkaClient, logger: Logger, onFailure: (error: unknown) => void = () => {}) {
    this.#kafka = kafka;
    this.#logger = logger;
    this.#onFailure = onFailure;
    this.#producer = createReliableProducer(kafka);
  }

  /** Whether publishing fails, since when, and whether records wait: see `publishStatus`. */
  get health(): PublishHealth {
    return {
      failingSince: this.#failingSince,
      lastFailedAt: this.#lastFailedAt,
      lastError: this.#lastError,
      publishing: this.#publishing > 0,
    };
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }

  /**
   * Resolves once every record, or what it was diverted to, is acknowledged, with the indexes of
   * the diverted ones. Rejects with RecordTooLargeError when a refused record cannot be diverted
   * (or its diversion is refused too), and with PublishError on any other failure: then none of
   * the records may be counted sent, though some may have been (at least once).
   */
  publish(records: readonly OutgoingRecord[], divert?: Divert): Promise<ReadonlySet<number>> {
    if (records.length === 0) {
      // Publishing nothing proves nothing: it must not clear a failure that records still wait on.
      return Promise.resolve(new Set());
    }
    this.#publishing += 1;
    const published = this.#queue
      .then(() => this.#publishNow(records, divert))
      .then(
        (diverted) => {
          this.#publishing -= 1;
          this.#failingSince = undefined;
          return diverted;
        },
        (error: unknown) => {
          this.#publishing -= 1;
          this.#noteFailure(error);
          throw error;
        },
      );
    this.#queue = published.catch(() => undefined);
    return published;
  }

  /**
   * A failed request may still have been written: its acknowledgement lost to a broker crash or
   * a dropped connection. kafkajs then rolls the partitions' idempotent sequence numbers back, so
   * with the same producer the next publish is taken for a duplicate and silently dropped (same
   * record count) or refused as out of order for good (another count). Only a new producer id
   * starts clean, so every failure retires the producer: telling a refusal that wrote nothing
   * from a lost acknowledgement is not worth the risk of getting it wrong.
   */
  #noteFailure(error: unknown): void {
    this.#stale = true;
    this.#lastFailedAt = Date.now();
    this.#lastError = error;
    this.#failingSince ??= this.#lastFailedAt;
    this.#onFailure(error);
  }

  async #publishNow(
    records: readonly OutgoingRecord[],
    divert: Divert | undefined,
  ): Promise<ReadonlySet<number>> {
    if (this.#stale) {
      await this.#replaceProducer();
    }
    const diverted = new Set<number>();
    const indexed = records.map((record, index) => ({ record, index }));
    const chunks = chunkBySize(
      indexed,
      ({ record }) => recordSizeBound(record),
      requestBudgetBytes - recordBatchOverheadBytes,
    );
    for (const chunk of chunks) {
      try {
        await this.#producer.publishAcknowledged(chunk.map(({ record }) => record));
      } catch (error) {
        if (!isTooLarge(error)) {
          throw error;
        }
        if (chunk.length > 1) {
          this.#logger.warn('a batch was refused as too large; publishing its records one by one', {
            error,
          });
          this.#stale = true;
          await this.#replaceProducer();
        }
        // A record of the refused chunk that was written all the same is not written again.
        const acknowledged = error instanceof PublishError ? error.acknowledged : new Set();
        for (const [position, { record, index }] of chunk.entries()) {
          if (acknowledged.has(position)) {
            continue;
          }
          if (await this.#publishAloneOrDivert(record, divert)) {
            diverted.add(index);
          }
        }
      }
    }
    return diverted;
  }

  /** Resolves to true when the record was diverted. */
  async #publishAloneOrDivert(
    record: OutgoingRecord,
    divert: Divert | undefined,
  ): Promise<boolean> {
    try {
      await this.#producer.publishAcknowledged([record]);
      return false;
    } catch (error) {
      if (!isTooLarge(error)) {
        throw error;
      }
      const size = recordSizeBound(record);
      const replacement = divert?.(record);
      if (replacement === undefined) {
        throw new RecordTooLargeError(
          `${record.topic} refused a record of about ${size} bytes as larger than its max.message.bytes, and it has nowhere else to go; raise the topic's max.message.bytes (ricochet topology create gives Ricochet's topics headroom above the source topics)`,
          record.topic,
          clientError(error),
        );
      }
      this.#logger.warn('a topic refused a record as too large; diverting it', {
        topic: record.topic,
        sizeBytes: size,
        divertedTo: replacement.topic,
      });
      try {
        await this.#producer.publishAcknowledged([replacement]);
      } catch (divertError) {
        if (!isTooLarge(divertError)) {
          throw divertError;
        }
        throw new RecordTooLargeError(
          `${record.topic} refused a record of about ${size} bytes as larger than its max.message.bytes, and ${replacement.topic} refused it too (about ${recordSizeBound(replacement)} bytes); raise the max.message.bytes of ${replacement.topic} (ricochet topology create gives it headroom above the source topics)`,
          replacement.topic,
          clientError(divertError),
        );
      }
      return true;
    }
  }

  /**
   * A request refused for one partition may have been written to the others, and one whose
   * acknowledgement was lost may have been written whole, yet kafkajs then rewinds the idempotent
   * sequence numbers of every partition in it (see `#noteFailure`). Only a new producer (a new
   * producer id) can publish there again. The records of the failed request are then published
   * again, so those already written appear twice (at least once).
   */
  async #replaceProducer(): Promise<void> {
    const previous = this.#producer;
    const replacement = createReliableProducer(this.#kafka);
    await replacement.connect();
    this.#producer = replacement;
    this.#stale = false;
    try {
      await previous.disconnect();
    } catch (error) {
      // The replacement is in place; the old connection only lingers until the broker drops it.
      this.#logger.warn('disconnecting the replaced producer failed', { error });
    }
  }
}
