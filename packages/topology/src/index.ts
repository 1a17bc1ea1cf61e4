/**
 * @ricochet/topology: plans, creates, checks and deletes Ricochet's topics (the retry tiers, the
 * dead-letter topic and, on request, the application's source topics). The plan and the drift
 * diff are pure functions; reading and changing the cluster goes through @ricochet/kafka's KafkaAdmin.
 *
 * @example
 * ```ts
 * import {
 *   compileTopologyOptions,
 *   createTopology,
 *   describeChange,
 *   describeDifference,
 *   verifyTopology,
 *   withTopologyAdmin,
 * } from '@ricochet/topology';
 *
 * const options = compileTopologyOptions({ tiers: '5s,1m,10m', sourceTopics: ['orders'] });
 * await withTopologyAdmin({ brokers: ['127.0.0.1:29092'], logger }, async (admin) => {
 *   const report = await createTopology(admin, options, { applyDrift: false });
 *   report.changes.forEach((change) => logger.info(describeChange(change)));
 *   const { matches, differences } = await verifyTopology(admin, options);
 *   if (!matches) differences.forEach((difference) => logger.warn(describeDifference(difference)));
 * });
 * ```
 */
export {
  compileTopologyOptions,
  defaultPartitions,
  type CompiledGroupTopics,
  type CompiledTopologyOptions,
  type TopologyFieldNames,
  type TopologyOptions,
} from './options.js';
export {
  TopicConfig,
  type ClusterShape,
  type PlannedTopicName,
  type TopicRole,
  type TopicSpec,
  type TopologyPlan,
} from './plan.js';
export type { ObservedCluster, ObservedTopic } from './observed.js';
export type { TopicDifference, TopicDifferenceKind } from './drift.js';
export type {
  ChangeInput,
  ChangePlan,
  LeftAlone,
  LeftAloneReason,
  TopologyChange,
} from './changes.js';
export { describeChange, describeDifference } from './wording.js';
export { defaultWaitingRetentionMilliseconds } from './retention.js';
export { ClusterUnreachableError, TopologyOperationError } from './errors.js';
export {
  topologyConnectionTimeoutMilliseconds,
  topologyRequestTimeoutMilliseconds,
  withTopologyAdmin,
  type TopologyConnectionOptions,
} from './admin-connection.js';
export {
  createTopology,
  type CreateTopologyOptions,
  type CreateTopologyReport,
} from './create-topology.js';
export { verifyTopology, type VerifyTopologyReport } from './verify-topology.js';
export {
  describeTopology,
  type DescribedTopic,
  type TopologyDescription,
} from './describe-topology.js';
export { deleteTopology, type DeleteTopologyReport } from './delete-topology.js';
