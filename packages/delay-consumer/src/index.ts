/**
 * @ricochet/delay-consumer: one service per tier. Holds each tier record until its `due-at`
 * without blocking heartbeats (records due soon in a bounded read-ahead in memory, later ones
 * by pausing their partition), then redelivers it to its original topic and only then commits.
 *
 * @example
 * ```ts
 * import { createDelayConsumer } from '@ricochet/delay-consumer';
 *
 * const delay = createDelayConsumer({ brokers: ['127.0.0.1:29092'], tier: 'retry-5s', logger });
 * await delay.start();
 * process.once('SIGTERM', () => void delay.stop());
 * ```
 */
import { DelayConsumer } from './delay-consumer.js';
import { compileDelayConsumerOptions, type DelayConsumerOptions } from './options.js';

export function createDelayConsumer(options: DelayConsumerOptions): DelayConsumer {
  return new DelayConsumer(compileDelayConsumerOptions(options));
}

export { DelayConsumer } from './delay-consumer.js';
export {
  compileDelayConsumerOptions,
  parseTierOption,
  type CompiledDelayConsumerOptions,
  type DelayConsumerEvent,
  type DelayConsumerOptions,
} from './options.js';
export {
  inspectTierRecord,
  isInternalTopic,
  type InspectionLimits,
  type TierRecordInspection,
} from './tier-record.js';
export {
  earliestDueAt,
  PartitionReadAhead,
  takeDueAcross,
  type ReadAheadEntry,
} from './read-ahead-buffer.js';
