import type { HeaderValue, OutgoingRecord } from '@ricochet/core';
import { connectChecked, librdkafkaOf, type KafkaClient } from './client.js';
import type {
  DeliveryReport,
  LibrdkafkaModule,
  LibrdkafkaSettings,
  NativeError,
  NativeHeader,
  NativeProducer,
} from './librdkafka-api.js';
import { librdkafkaErrorFrom } from './librdkafka-errors.js';
import { librdkafkaConnectionSettings } from './librdkafka-settings.js';
import {
  PublishError,
  type BulkProducer,
  type BulkRecord,
  type ReliableProducer,
} from './producer.js';
import { authorizationErrorFrom, topicsNamed } from './security.js';

/**
 * How long librdkafka may try to deliver a record before the send fails: about as long as one
 * kafkajs send with its bounded retries (producer.ts), so that publish-health's timeout allows a
 * few attempts on fresh producers with either driver. librdkafka's default (5 minutes) would
 * hold records uncommitted through a whole outage without a word.
 */
const deliveryTimeoutMilliseconds = 16_000;

/** A send some of whose records failed: the first failure, and the records acknowledged. */
class PartlyAcknowledged extends Error {
  readonly failure: unknown;
  readonly acknowledged: ReadonlySet<number>;

  constructor(failure: unknown, acknowledged: ReadonlySet<number>) {
    super('some records of the send failed', { cause: failure });
    this.failure = failure;
    this.acknowledged = acknowledged;
  }
}

/** Settles the send of one record when librdkafka reports its delivery. */
interface PendingDelivery {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An empty Buffer the addon sends as empty rather than as null. The addon (1.10.1) takes a Buffer
 * without memory behind it for null, and an empty Buffer of its own has none: an empty value
 * would become a tombstone and an empty key no key. A view of no bytes into one byte has memory
 * behind it.
 */
function sentAsIs(buffer: Buffer): Buffer {
  return buffer.length === 0 ? Buffer.alloc(1).subarray(0, 0) : buffer;
}

/** The headers as librdkafka takes them; a computed key keeps a header named `__proto__` a header. */
function nativeHeaders(
  headers: Readonly<Record<string, HeaderValue | HeaderValue[]>>,
): NativeHeader[] {
  const entries: NativeHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      entries.push({ [name]: Buffer.isBuffer(one) ? sentAsIs(one) : one });
    }
  }
  return entries;
}

/**
 * A producer on librdkafka's own API, each record's send settled by its delivery report (read by
 * the addon's background thread). Records are sent as librdkafka batches them (linger.ms).
 */
class NativeSends {
  readonly #librdkafka: LibrdkafkaModule;
  readonly #producer: NativeProducer;

  constructor(client: KafkaClient, settings: LibrdkafkaSettings) {
    const { librdkafka, options } = librdkafkaOf(client);
    this.#librdkafka = librdkafka;
    this.#producer = new librdkafka.Producer({
      ...librdkafkaConnectionSettings(options),
      'message.timeout.ms': deliveryTimeoutMilliseconds,
      // kafkajs's default partitioner and Java's: a key lands on the same partition whichever
      // driver wrote it (librdkafka's own default hashes keys with CRC32).
      partitioner: 'murmur2_random',
      // librdkafka refuses a record over 1 MB itself; the topic's max.message.bytes decides, as
      // with kafkajs.
      'message.max.bytes': 1_000_000_000,
      dr_cb: true,
      ...settings,
    });
    this.#producer.on('delivery-report', (error: NativeError | null, report: DeliveryReport) => {
      const pending = report.opaque as PendingDelivery;
      if (error) {
        pending.reject(librdkafkaErrorFrom(this.#librdkafka, error));
      } else {
        pending.resolve();
      }
    });
    this.#producer.on('event.error', (error) => {
      options.logger.warn('librdkafka producer error', {
        error: librdkafkaErrorFrom(this.#librdkafka, error),
      });
    });
  }

  async connect(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.#producer.connect({}, (error) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      throw librdkafkaErrorFrom(this.#librdkafka, error);
    }
    this.#producer.setPollInBackground(true);
  }

  /** Resolves at once when not connected, as kafkajs's does: the addon throws there instead. */
  disconnect(): Promise<void> {
    if (!this.#producer.isConnected()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#producer.disconnect(() => resolve());
    });
  }

  /** Resolves once every record is acknowledged; rejects with the first failure once all settled. */
  async send(
    records: readonly {
      readonly topic: string;
      readonly partition?: number;
      readonly key: string | Buffer | null;
      readonly value: Buffer | null;
      readonly headers?: Readonly<Record<string, HeaderValue | HeaderValue[]>>;
      readonly timestamp?: string;
    }[],
  ): Promise<void> {
    const deliveries = records.map(
      (record) =>
        new Promise<void>((resolve, reject) => {
          try {
            this.#producer.produce(
              record.topic,
              record.partition ?? null,
              record.value === null ? null : sentAsIs(record.value),
              record.key === null
                ? null
                : sentAsIs(typeof record.key === 'string' ? Buffer.from(record.key) : record.key),
              record.timestamp === undefined ? null : Number(record.timestamp),
              { resolve, reject } satisfies PendingDelivery,
              nativeHeaders(record.headers ?? {}),
            );
          } catch (error) {
            reject(librdkafkaErrorFrom(this.#librdkafka, error));
          }
        }),
    );
    // Every record settles before the send does: none is left in flight behind a failure.
    const settled = await Promise.allSettled(deliveries);
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      const acknowledged = new Set<number>();
      settled.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') {
          acknowledged.add(index);
        }
      });
      throw new PartlyAcknowledged(failed.reason, acknowledged);
    }
  }
}

/**
 * Idempotent, `acks=all`: librdkafka keeps the idempotent sequence in order with up to five
 * requests in flight, and a record keeps its partition through librdkafka's retries.
 */
export function createLibrdkafkaReliableProducer(client: KafkaClient): ReliableProducer {
  const sends = new NativeSends(client, {
    'enable.idempotence': true,
    acks: 'all',
    // Its callers hand it whole sets of records (a batch's hand-offs, due redeliveries) and wait
    // for them: librdkafka's default wait for more (5 ms) would only add to every hand-off. At 0,
    // each record wakes the broker's thread, which then contends with the producing thread
    // record by record (retry round trip 3,318-3,771 records/s, against 4,225-4,453 at 1 ms, in
    // back-to-back runs; produce() took 2.8 s of the delay service's 14 s in the burst, 1.0 s).
    'linger.ms': 1,
    'allow.auto.create.topics': false,
  });
  return {
    connect: () =>
      connectChecked(client, async () => {
        try {
          await sends.connect();
        } catch (error) {
          throw authorizationErrorFrom(
            error,
            'Write on the topics it publishes to (an idempotent producer is refused its producer id without Write on at least one topic, or IdempotentWrite on the cluster)',
          );
        }
      }),
    disconnect: () => sends.disconnect(),
    publishAcknowledged: async (records: readonly OutgoingRecord[]) => {
      if (records.length === 0) {
        return;
      }
      try {
        await sends.send(records);
      } catch (error) {
        const topics = [...new Set(records.map(({ topic }) => topic))];
        const partly = error instanceof PartlyAcknowledged ? error : undefined;
        throw new PublishError(
          `publishing ${records.length} record(s) to ${topics.join(', ')} failed`,
          authorizationErrorFrom(partly?.failure ?? error, `Write on ${topicsNamed(topics)}`),
          partly?.acknowledged,
        );
      }
    },
  };
}

/** For filling topics fast: not idempotent; each send still waits for `acks=all`. */
export function createLibrdkafkaBulkProducer(client: KafkaClient): BulkProducer {
  const sends = new NativeSends(client, { acks: 'all', 'allow.auto.create.topics': false });
  return {
    connect: () => connectChecked(client, () => sends.connect()),
    disconnect: () => sends.disconnect(),
    send: async (topic: string, records: readonly BulkRecord[]) => {
      try {
        await sends.send(records.map((record) => ({ ...record, topic })));
      } catch (error) {
        throw error instanceof PartlyAcknowledged ? error.failure : error;
      }
    },
  };
}
