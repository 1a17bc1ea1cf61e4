import type { KafkaAdmin } from '@ricochet/kafka';
import { planChanges, type LeftAlone, type TopologyChange } from './changes.js';
import { applyChanges } from './cluster-writer.js';
import { readCluster } from './cluster-reader.js';
import { findDifferences } from './drift.js';
import type { CompiledTopologyOptions } from './options.js';
import { planTopology, plannedTopicNames, type TopologyPlan } from './plan.js';

export interface CreateTopologyOptions {
  /** Work out the changes but make none. */
  readonly dryRun?: boolean;
  /** Also grow partitions and rewrite configs of existing topics that drifted from the plan. */
  readonly applyDrift?: boolean;
}

export interface CreateTopologyReport {
  readonly dryRun: boolean;
  readonly plan: TopologyPlan;
  /** The changes made, or in a dry run the changes that would be made. */
  readonly changes: readonly TopologyChange[];
  /** Topics that already matched the plan in every respect. */
  readonly unchanged: readonly string[];
  /** Differences still there afterwards, each with the reason it was not changed. */
  readonly leftAlone: readonly LeftAlone[];
}

/**
 * Brings the cluster to the plan: creates missing topics and, with `applyDrift`, fixes what can
 * be fixed on existing ones. Idempotent: a second run finds nothing to change.
 */
export async function createTopology(
  admin: KafkaAdmin,
  options: CompiledTopologyOptions,
  run: CreateTopologyOptions = {},
): Promise<CreateTopologyReport> {
  const names = plannedTopicNames(options).map((topic) => topic.name);
  const observed = await readCluster(admin, names);
  const plan = planTopology(options, observed);
  const differences = findDifferences(plan, observed);
  const { changes, leftAlone } = planChanges({
    plan,
    observed,
    differences,
    applyDrift: run.applyDrift ?? false,
  });
  const dryRun = run.dryRun ?? false;
  if (!dryRun) {
    await applyChanges(admin, changes);
  }
  const differing = new Set(differences.map((difference) => difference.topic));
  return {
    dryRun,
    plan,
    changes,
    unchanged: names.filter((name) => !differing.has(name)),
    leftAlone,
  };
}
