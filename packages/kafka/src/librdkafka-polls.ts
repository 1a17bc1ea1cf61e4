/** What the librdkafka driver's consumers (a service's, the partition reader's) poll with. */
import type { NativeConsumer, NativeMessage } from './librdkafka-api.js';

/**
 * How soon librdkafka fetches again once its queue is under the read-ahead. Its default, 1 s,
 * made a consumer that drains the queue faster than that idle for the rest of each second
 * (about 22,000 records/s of 1 KiB).
 */
export const readAheadBackoffMilliseconds = 10;

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
