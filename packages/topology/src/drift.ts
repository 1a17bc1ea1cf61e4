import type { ObservedCluster } from './observed.js';
import { configSatisfies, isOwnedByRicochet, type TopicSpec, type TopologyPlan } from './plan.js';

/** One way the cluster differs from the plan. */
export type TopicDifference =
  | { readonly kind: 'missing'; readonly topic: string }
  | {
      readonly kind: 'too-few-partitions' | 'too-many-partitions' | 'replication-factor';
      readonly topic: string;
      readonly planned: number;
      readonly actual: number;
    }
  | {
      readonly kind: 'config';
      readonly topic: string;
      readonly config: string;
      readonly planned: string;
      /** `undefined` when the cluster did not report the config at all. */
      readonly actual: string | undefined;
    };

export type TopicDifferenceKind = TopicDifference['kind'];

/**
 * Compares the plan with what was observed. Topics Ricochet owns must match exactly, except that
 * a larger max.message.bytes than planned is fine; a source topic only has to exist with at least
 * the planned partitions, since the rest is its owner's.
 */
export function findDifferences(plan: TopologyPlan, observed: ObservedCluster): TopicDifference[] {
  return plan.topics.flatMap((spec) => differencesOf(spec, observed));
}

function differencesOf(spec: TopicSpec, observed: ObservedCluster): TopicDifference[] {
  const topic = observed.topics.get(spec.name);
  if (topic === undefined) {
    return [{ kind: 'missing', topic: spec.name }];
  }
  const differences: TopicDifference[] = [];
  if (topic.partitions < spec.partitions) {
    differences.push({
      kind: 'too-few-partitions',
      topic: spec.name,
      planned: spec.partitions,
      actual: topic.partitions,
    });
  }
  if (!isOwnedByRicochet(spec)) {
    return differences;
  }
  if (topic.partitions > spec.partitions) {
    differences.push({
      kind: 'too-many-partitions',
      topic: spec.name,
      planned: spec.partitions,
      actual: topic.partitions,
    });
  }
  if (topic.replicationFactor !== spec.replicationFactor) {
    differences.push({
      kind: 'replication-factor',
      topic: spec.name,
      planned: spec.replicationFactor,
      actual: topic.replicationFactor,
    });
  }
  for (const [config, planned] of Object.entries(spec.configs)) {
    const actual = topic.configs[config];
    if (!configSatisfies(config, planned, actual)) {
      differences.push({ kind: 'config', topic: spec.name, config, planned, actual });
    }
  }
  return differences;
}
