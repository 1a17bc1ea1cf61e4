import type { KafkaAdmin } from '@ricochet/kafka';
import { readCluster } from './cluster-reader.js';
import { findDifferences, type TopicDifference } from './drift.js';
import type { CompiledTopologyOptions } from './options.js';
import { planTopology, plannedTopicNames, type TopologyPlan } from './plan.js';

export interface VerifyTopologyReport {
  readonly plan: TopologyPlan;
  readonly differences: readonly TopicDifference[];
  /** True when the cluster matches the plan: no differences at all. */
  readonly matches: boolean;
}

/** Compares the cluster with the plan and changes nothing. */
export async function verifyTopology(
  admin: KafkaAdmin,
  options: CompiledTopologyOptions,
): Promise<VerifyTopologyReport> {
  const observed = await readCluster(
    admin,
    plannedTopicNames(options).map((topic) => topic.name),
  );
  const plan = planTopology(options, observed);
  const differences = findDifferences(plan, observed);
  return { plan, differences, matches: differences.length === 0 };
}
