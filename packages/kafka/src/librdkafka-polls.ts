/** What the librdkafka driver's consumers (a service's, the partition reader's) are made and poll with. */
import { librdkafkaOf, type KafkaClient } from './client.js';
import type { LibrdkafkaSettings, NativeConsumer, NativeMessage } from './librdkafka-api.js';
import { librdkafkaErrorFrom } from './librdkafka-errors.js';
import { librdkafkaConnectionSettings } from './librdkafka-settings.js';

/**
 * How soon librdkafka fetches again once its queue is under the read-ahead. Its default, 1 s,
 * made a consumer that drains the queue faster than that idle for the rest of each second
 * (about 22,000 records/s of 1 KiB).
 */
const readAheadBackoffMilliseconds = 10;

/**
 * How long one poll waits for a first record (the consumers' consume timeout). The wait holds a
 * thread of libuv's pool (4 threads by default), which the process's file and DNS calls and
 * librdkafka's own (connects, commits, seeks, watermarks) share: with a wait of 500 ms, six idle
 * consumers in one process (a test's services, a delay tier's beside a main consumer and its
 * reader) made each of those calls wait about 500 ms for a thread (a test's producer took 445 ms
 * to send a record, and a key-strict suite 67 s instead of 16 s). A record arriving ends the wait
 * at once, so a short one costs only idle polls. Also how soon a stop is noticed.
 */
export const maxPollWaitMilliseconds = 100;

/**
 * A librdkafka consumer of the client's cluster in `group.id`, with what every consumer of the
 * driver shares: no automatic commit or offset store (Ricochet commits what it has handled),
 * no topic created by a read, the read-ahead backoff and poll wait above, and librdkafka's
 * errors logged as warnings under `errorMessage`. Not connected yet.
 */
export function createNativeConsumer(
  client: KafkaClient,
  settings: LibrdkafkaSettings & { readonly 'group.id': string },
  topicSettings: LibrdkafkaSettings,
  errorMessage: string,
): NativeConsumer {
  const { librdkafka, options } = librdkafkaOf(client);
  const native = new librdkafka.KafkaConsumer(
    {
      ...librdkafkaConnectionSettings(options),
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'allow.auto.create.topics': false,
      'fetch.queue.backoff.ms': readAheadBackoffMilliseconds,
      ...settings,
    },
    topicSettings,
  );
  native.on('event.error', (error) => {
    options.logger.warn(errorMessage, { error: librdkafkaErrorFrom(librdkafka, error) });
  });
  native.setDefaultConsumeTimeout(maxPollWaitMilliseconds);
  native.setDefaultIsTimeoutOnlyForFirstMessage(true);
  return native;
}

/** One poll: up to `count` records, waiting at most the consumer's consume timeout for a first. */
export function consumeRecords(native: NativeConsumer, count: number): Promise<NativeMessage[]> {
  return new Promise<NativeMessage[]>((resolve, reject) => {
    native.consume(count, (error, read) => (error ? reject(error) : resolve(read)));
  });
}

/** A poll's records as a batch per partition, each in offset order, by `keyOf` the partition. */
export function batchesByPartition(
  messages: readonly NativeMessage[],
  keyOf: (topic: string, partition: number) => string,
): Map<string, NativeMessage[]> {
  const batches = new Map<string, NativeMessage[]>();
  for (const message of messages) {
    const key = keyOf(message.topic, message.partition);
    const batch = batches.get(key);
    if (batch === undefined) {
      batches.set(key, [message]);
    } else {
      batch.push(message);
    }
  }
  return batches;
}

/** Disconnects the consumer; resolves once librdkafka has closed it. */
export function disconnectNative(native: NativeConsumer): Promise<void> {
  return new Promise((resolve) => {
    native.disconnect(() => resolve());
  });
}
