import type { TopicDifference } from './drift.js';
import type { ObservedCluster } from './observed.js';
import { configSatisfies, type TopicSpec, type TopologyPlan } from './plan.js';

/** One change to make to the cluster. */
export type TopologyChange =
  | { readonly kind: 'create-topic'; readonly topic: TopicSpec }
  | {
      readonly kind: 'add-partitions';
      readonly topic: string;
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly kind: 'set-configs';
      readonly topic: string;
      /** The topic's complete config set: Kafka replaces every topic-level config at once. */
      readonly configs: Readonly<Record<string, string>>;
      /** Configs set on the topic but not in the plan; setting the configs returns them to default. */
      readonly resets: readonly string[];
    };

/**
 * Why a difference stays: the caller did not ask for drift to be applied, or no tool can apply
 * it (Kafka cannot remove partitions; replicas move only by reassignment, outside this tool).
 */
export type LeftAloneReason = 'drift-not-applied' | 'cannot-change';

export interface LeftAlone {
  readonly difference: TopicDifference;
  readonly reason: LeftAloneReason;
}

export interface ChangePlan {
  /** In the order to make them: topics first, then partitions, then configs. */
  readonly changes: readonly TopologyChange[];
  readonly leftAlone: readonly LeftAlone[];
}

export interface ChangeInput {
  readonly plan: TopologyPlan;
  readonly observed: ObservedCluster;
  readonly differences: readonly TopicDifference[];
  /** Grow partitions and rewrite configs of existing topics; otherwise only create what is missing. */
  readonly applyDrift: boolean;
}

/** Turns differences into changes: missing topics are always created; drift only on request. */
export function planChanges(input: ChangeInput): ChangePlan {
  const creations: TopologyChange[] = [];
  const growths: TopologyChange[] = [];
  const configTopics = new Set<string>();
  const leftAlone: LeftAlone[] = [];
  for (const difference of input.differences) {
    switch (difference.kind) {
      case 'missing':
        creations.push({ kind: 'create-topic', topic: specFor(input.plan, difference.topic) });
        break;
      case 'too-few-partitions':
        if (input.applyDrift) {
          growths.push({
            kind: 'add-partitions',
            topic: difference.topic,
            from: difference.actual,
            to: difference.planned,
          });
        } else {
          leftAlone.push({ difference, reason: 'drift-not-applied' });
        }
        break;
      case 'config':
        if (input.applyDrift) {
          configTopics.add(difference.topic);
        } else {
          leftAlone.push({ difference, reason: 'drift-not-applied' });
        }
        break;
      case 'too-many-partitions':
      case 'replication-factor':
        leftAlone.push({ difference, reason: 'cannot-change' });
        break;
    }
  }
  const configChanges = [...configTopics].map((topic): TopologyChange => {
    const spec = specFor(input.plan, topic);
    const observed = input.observed.topics.get(topic);
    const overrides = observed?.overrides ?? [];
    return {
      kind: 'set-configs',
      topic,
      configs: keepingSatisfied(spec.configs, observed?.configs ?? {}),
      resets: overrides.filter((config) => !(config in spec.configs)),
    };
  });
  return { changes: [...creations, ...growths, ...configChanges], leftAlone };
}

/**
 * The configs to set: the planned ones, except where the topic already satisfies the plan with
 * another value (a max.message.bytes raised above the plan's minimum is not lowered).
 */
function keepingSatisfied(
  planned: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(planned).map(([config, value]) => {
      const current = actual[config];
      return [config, configSatisfies(config, value, current) ? (current ?? value) : value];
    }),
  );
}

function specFor(plan: TopologyPlan, topic: string): TopicSpec {
  const spec = plan.topics.find((candidate) => candidate.name === topic);
  if (spec === undefined) {
    // Differences come from the same plan, so this is a bug in the caller, not bad input.
    throw new Error(`difference for ${topic}, which is not in the plan`);
  }
  return spec;
}
