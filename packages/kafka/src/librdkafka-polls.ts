/** What the librdkafka driver's consumers (a service's, the partition reader's) poll with. */
import type { NativeConsumer, NativeMessage } from './librdkafka-api.js';

/**
 * How soon librdkafka fetches again once its queue is under the read-ahead. Its default, 1 s,
 * made a consumer that drains the queue faster than that idle for the rest of each second
 * (about 22,000 records/s of 1 KiB).
 */
export const readAheadBackoffMilliseconds = 10;

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
