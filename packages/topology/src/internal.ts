/**
 * @ricochet/topology/internal: parts of the package its own tests exercise directly. Not a public
 * API: they may change in any release.
 */
export {
  defaultDeadLetterRetentionMilliseconds,
  defaultTierRetentionMilliseconds,
} from './retention.js';
export {
  headerHeadroomBytes,
  kafkaDefaultMessageMaxBytes,
  plannedTopicNames,
  planTopology,
} from './plan.js';
export { findDifferences } from './drift.js';
export { planChanges } from './changes.js';
export { openTopologyAdmin } from './admin-connection.js';
export { readCluster } from './cluster-reader.js';
