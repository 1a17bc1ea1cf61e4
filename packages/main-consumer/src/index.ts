/**
 * @ricochet/main-consumer: wraps your handler. A record whose handler throws is republished to
 * the next retry tier (or the dead-letter topic) and only then committed, so it is neither lost
 * nor allowed to block its partition.
 *
 * @example
 * ```ts
 * import { createMainConsumer } from '@ricochet/main-consumer';
 * import { NonRetryableError } from '@ricochet/core';
 *
 * const consumer = createMainConsumer({
 *   brokers: ['127.0.0.1:29092'],
 *   groupId: 'billing',
 *   topics: ['orders'],
 *   tiers: '5s,1m,10m',
 *   logger,
 *   handler: async (record) => {
 *     if (record.value === null) throw new NonRetryableError('tombstones are not orders');
 *     await charge(JSON.parse(record.value.toString()));
 *   },
 * });
 * await consumer.start();
 * process.once('SIGTERM', () => void consumer.stop());
 * ```
 *
 * How it is built: `MainConsumer` (main-consumer.ts) is the service: lifecycle, publisher,
 * commits with the group session, accessors. It hands each partition's batch to a `BatchRun`
 * (batch-run.ts), the flow of one batch: the cursor, ordering lanes (ordering.ts), the shared
 * in-flight slots (in-flight-slots.ts), the crash guard's steps (crash-guard.ts, careful-gate.ts)
 * and the revoke grace. A `RecordProcessor` (record-processor.ts) decides each record's fate,
 * `HandOffs` (hand-offs.ts) books fates taken in offset order and settled out of order, and
 * `BatchCommits` (batch-commits.ts) decides what the batch commits and with which metadata.
 * Ordering `key-strict` adds `KeyStrict` (key-strict.ts: each owned partition's state loaded
 * from the group's blocked-keys topic, release commands polled), `KeyStrictPartition`
 * (key-strict-partition.ts: a partition's acknowledged state writes, waiting-topic appends, per-key
 * queues and background drains) and `KeyStrictBook` (key-strict-book.ts: its pure decisions);
 * BatchRun asks the partition's `KeyStrictPartition` for each record's fate, and nothing else.
 */
import { compileMainConsumerOptions, type MainConsumerOptions } from './options.js';
import { MainConsumer } from './main-consumer.js';

export function createMainConsumer<TValue = Buffer | null>(
  options: MainConsumerOptions<TValue>,
): MainConsumer<TValue> {
  return new MainConsumer(compileMainConsumerOptions(options));
}

export { MainConsumer } from './main-consumer.js';
export type {
  CompiledMainConsumerOptions,
  HandlerFinished,
  HandlerRecord,
  KeyStrictChanged,
  MainConsumerEvent,
  MainConsumerOptions,
  RecordHandler,
  ValueDecoder,
} from './options.js';
export { HandlerTimeoutError } from './handler-timeout.js';
export { KeyStrictTopicMissingError } from './key-strict-topics.js';
export type { RecordFate, RecordOutcome } from './record-outcome.js';
