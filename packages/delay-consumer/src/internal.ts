/**
 * @ricochet/delay-consumer/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { compileDelayConsumerOptions } from './options.js';
export {
  inspectTierRecord,
  isInternalTopic,
  redeliveryTarget,
  type InspectionLimits,
  type RedeliveryTarget,
  type TierRecordInspection,
} from './tier-record.js';
export {
  earliestDueAt,
  PartitionReadAhead,
  takeDueAcross,
  type ReadAheadEntry,
} from './read-ahead-buffer.js';
export { PartitionHolding, type HeldPartition } from './partition-holding.js';
export { ReadAheadReleaser } from './read-ahead-releaser.js';
export { systemClock, type Clock, type ClockTimer } from './clock.js';
