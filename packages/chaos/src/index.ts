/**
 * @ricochet/chaos (private): the chaos run behind `npm run chaos` (docs/chaos.md). Real
 * `ricochet run` processes on a broker of the run's own, killed, restarted and scaled under
 * traffic; an independent ledger of every handler call; then a verdict on every record.
 *
 * @example
 * ```ts
 * const verdict = judge({ plans, ladderLength: 3, invocations, sends, archive, services });
 * if (!verdict.passed) console.log(verdict.checks.filter((check) => !check.passed));
 * ```
 */
export { compileChaosOptions, type ChaosFlags, type ChaosOptions } from './options.js';
export { profiles, profileNames, type ClusterFaultCounts, type ProfileName } from './profiles.js';
export { runChaos } from './run.js';
export { judge, type Verdict, type VerdictInput, type ServiceEnding } from './verdict.js';
export type { Check } from './record-checks.js';
export type { Measures } from './measures.js';
export { renderSummary, type ChaosReport } from './summary.js';
export {
  decodePlan,
  encodePlan,
  planRecords,
  plannedOutcome,
  plannedCalls,
  plannedTries,
  recordId,
  recordKey,
  type RecordKind,
  type RecordPlan,
  type TrafficShape,
} from './record-plan.js';
export {
  checkKeyOrder,
  describeViolation,
  type KeyOrderEvidence,
  type KeyOrderViolation,
} from './key-order.js';
export {
  checkKeyStrictOrder,
  describeKeyStrictViolation,
  type KeyStrictEvidence,
  type KeyStrictViolation,
} from './key-strict-order.js';
export { seededRandom, type Random } from './random.js';
export { scheduleChaos, type ChaosEvent } from './chaos-schedule.js';
export {
  scheduleClusterFaults,
  leaderKillTargets,
  type ClusterFault,
  type LeaderKillTarget,
} from './cluster-schedule.js';
export { failureKind } from './failure-kind.js';
export { planFleet, type FleetContext } from './fleet.js';
export { ChaosBroker, type BrokerSettings, type BrokerStopMode } from './broker.js';
export { ChaosCluster, type ClusterSettings } from './cluster.js';
export { Supervisor, type InstanceSpec, type ExitRecord } from './supervisor.js';
export type { Invocation, NewInvocation } from './ledger.js';
export type { ArchiveEntry } from './archive-reader.js';
