/**
 * @ricochet/delay-consumer/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export { compileDelayConsumerOptions } from './options.js';
export {
  inspectTierRecord,
  isInternalTopic,
  type InspectionLimits,
  type TierRecordInspection,
} from './tier-record.js';
export { HoldTimers } from './hold-timers.js';
export {
  earliestDueAt,
  PartitionReadAhead,
  takeDueAcross,
  type ReadAheadEntry,
} from './read-ahead-buffer.js';
