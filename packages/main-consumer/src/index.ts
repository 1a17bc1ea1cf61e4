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
 * (batch-run.ts), the flow of one batch: its cursor, commit cadence and revoke grace. Its records
 * are `BatchRecords`' (batch-records.ts): taken under the crash guard's steps (crash-guard.ts,
 * careful-gate.ts), started under the ordering lanes (ordering.ts) and the shared in-flight slots
 * (in-flight-slots.ts), their fate decided by record-fate.ts. A `RecordProcessor`
 * (record-processor.ts) decides each record's fate, `HandOffs` (hand-offs.ts) books fates taken
 * in offset order and settled out of order, and `BatchCommits` (batch-commits.ts) decides what
 * the batch commits and with which metadata.
 * Ordering `key-strict` adds `KeyStrict` (key-strict.ts: each owned partition's state loaded
 * from the group's blocked-keys topic by key-strict-read.ts, release commands polled),
 * `KeyStrictPartition` (key-strict-partition.ts: a partition's record decisions and release
 * commands and waiting-topic appends, its per-key queues in key-queues.ts, its acknowledged state
 * writes and hand-offs in key-strict-writes.ts, its background drains in key-strict-drains.ts) and
 * `KeyStrictBook` (key-strict-book.ts: its pure decisions, over key-strict-entry.ts);
 * a batch asks the partition's `KeyStrictPartition` for each record's fate, and nothing else.
 * Redelivery `group` adds a second consumer, the redelivery reader (redelivery-reader.ts), of
 * group `redeliveryGroup(groupId)`: the redelivery topic's batches run as the source's do, with
 * crash guards and commits of their own, and their records take free handler slots first
 * (in-flight-slots.ts); group-redelivery.ts checks the topic at start.
 */
import { compileMainConsumerOptions, type MainConsumerOptions } from './options.js';
import { MainConsumer } from './main-consumer.js';

export function createMainConsumer<TValue = Buffer | null>(
  options: MainConsumerOptions<TValue>,
): MainConsumer<TValue> {
  return new MainConsumer(compileMainConsumerOptions(options));
}

export { MainConsumer } from './main-consumer.js';
export type { HandlerFinished, KeyStrictChanged, MainConsumerEvent } from './events.js';
export type {
  CompiledMainConsumerOptions,
  HandlerRecord,
  MainConsumerOptions,
  RecordHandler,
  ValueDecoder,
} from './options.js';
export { HandlerTimeoutError } from './handler-timeout.js';
export { KeyStrictTopicMissingError } from './key-strict-topics.js';
export { RedeliveryTopicMissingError } from './group-redelivery.js';
export type { RecordFate, RecordOutcome } from './record-outcome.js';
