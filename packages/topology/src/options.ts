import {
  blockedKeysTopic,
  checkTopicName,
  ConfigError,
  defaultDeadLetterTopic,
  defaultLadderText,
  formatDuration,
  parseDuration,
  parseTierLadder,
  redeliveryTopic,
  type Tier,
  type TierLadder,
  waitingTopic,
} from '@ricochet/core';
import {
  defaultDeadLetterRetentionMilliseconds,
  defaultWaitingRetentionMilliseconds,
} from './retention.js';

/** Enough for a few delay consumers to share a tier; partitions can be added later, never removed. */
export const defaultPartitions = 3;

/** What a caller may set. Every field has a default; durations are text (`7d`) or milliseconds. */
export interface TopologyOptions {
  /** The retry ladder, e.g. `5s,1m,10m` (the default), or one already parsed. */
  tiers?: string | TierLadder;
  /** Default `dlq`. */
  deadLetterTopic?: string;
  /** The application's own topics: created when missing, grown on request, configs left alone. */
  sourceTopics?: readonly string[];
  /**
   * Consumer groups running with ordering `key-strict` or redelivery `group`: each gets its
   * blocked-keys topic (compacted), its waiting topic and its redelivery topic
   * (`ricochet.<group>.blocked-keys`, `ricochet.<group>.waiting`, `ricochet.<group>.redelivery`).
   */
  groups?: readonly string[];
  /** Retention of the groups' waiting and redelivery topics. Default 7d. */
  waitingRetention?: string | number;
  /** Default 3, for every topic. */
  partitions?: number;
  /** Default: min(3, brokers in the cluster). */
  replicationFactor?: number;
  /** Default: replication factor - 1, at least 1. */
  minInsyncReplicas?: number;
  /** One retention for every tier, longer than the longest delay. Default: max(7d, 10 x delay). */
  tierRetention?: string | number;
  /** Default 14d. */
  deadLetterRetention?: string | number;
  /** How the caller's users spell each field in error messages; a CLI passes its flag names. */
  fieldNames?: Partial<TopologyFieldNames>;
}

export type TopologyFieldNames = Record<Exclude<keyof TopologyOptions, 'fieldNames'>, string>;

/** Options checked once; fields left `undefined` get defaults that depend on the cluster. */
export interface CompiledTopologyOptions {
  readonly ladder: TierLadder;
  readonly deadLetterTopic: string;
  readonly sourceTopics: readonly string[];
  readonly groups: readonly CompiledGroupTopics[];
  readonly waitingRetentionMilliseconds: number;
  readonly partitions: number;
  readonly replicationFactor: number | undefined;
  readonly minInsyncReplicas: number | undefined;
  /** `undefined`: each tier gets its own default retention. */
  readonly tierRetentionMilliseconds: number | undefined;
  readonly deadLetterRetentionMilliseconds: number;
  readonly fieldNames: TopologyFieldNames;
}

/** The topics of one consumer group running with ordering `key-strict` or redelivery `group`. */
export interface CompiledGroupTopics {
  readonly groupId: string;
  readonly blockedKeysTopic: string;
  readonly waitingTopic: string;
  readonly redeliveryTopic: string;
}

const ownFieldNames: TopologyFieldNames = {
  tiers: 'tiers',
  deadLetterTopic: 'deadLetterTopic',
  sourceTopics: 'sourceTopics',
  groups: 'groups',
  waitingRetention: 'waitingRetention',
  partitions: 'partitions',
  replicationFactor: 'replicationFactor',
  minInsyncReplicas: 'minInsyncReplicas',
  tierRetention: 'tierRetention',
  deadLetterRetention: 'deadLetterRetention',
};

/** Validates `options` and fills the defaults that do not depend on the cluster. */
export function compileTopologyOptions(options: TopologyOptions = {}): CompiledTopologyOptions {
  const fieldNames = { ...ownFieldNames, ...options.fieldNames };
  const ladder = compileLadder(options.tiers ?? defaultLadderText, fieldNames.tiers);
  const tierTopics = new Set(ladder.map((tier) => tier.topic));
  const deadLetterTopic = checkTopicName(
    options.deadLetterTopic ?? defaultDeadLetterTopic,
    fieldNames.deadLetterTopic,
  );
  if (tierTopics.has(deadLetterTopic)) {
    throw new ConfigError(
      fieldNames.deadLetterTopic,
      `"${deadLetterTopic}" is also a tier topic; the dead-letter topic needs its own name`,
    );
  }
  const replicationFactor = optionalCount(options.replicationFactor, fieldNames.replicationFactor);
  const minInsyncReplicas = optionalCount(options.minInsyncReplicas, fieldNames.minInsyncReplicas);
  if (
    replicationFactor !== undefined &&
    minInsyncReplicas !== undefined &&
    minInsyncReplicas > replicationFactor
  ) {
    throw new ConfigError(
      fieldNames.minInsyncReplicas,
      `${minInsyncReplicas} is more than the replication factor ${replicationFactor}; every acknowledged write would fail`,
    );
  }
  const groups = compileGroups(options.groups ?? [], fieldNames.groups);
  const groupTopics = groups.flatMap((group) => [
    group.blockedKeysTopic,
    group.waitingTopic,
    group.redeliveryTopic,
  ]);
  if (groupTopics.includes(deadLetterTopic)) {
    throw new ConfigError(
      fieldNames.deadLetterTopic,
      `"${deadLetterTopic}" is also a topic of a --group; the dead-letter topic needs its own name`,
    );
  }
  return {
    ladder,
    deadLetterTopic,
    sourceTopics: compileSourceTopics(options.sourceTopics ?? [], fieldNames.sourceTopics, [
      ...tierTopics,
      deadLetterTopic,
      ...groupTopics,
    ]),
    groups,
    waitingRetentionMilliseconds:
      options.waitingRetention === undefined
        ? defaultWaitingRetentionMilliseconds
        : toMilliseconds(options.waitingRetention, fieldNames.waitingRetention),
    partitions: optionalCount(options.partitions, fieldNames.partitions) ?? defaultPartitions,
    replicationFactor,
    minInsyncReplicas,
    tierRetentionMilliseconds: compileTierRetention(
      options.tierRetention,
      ladder,
      fieldNames.tierRetention,
    ),
    deadLetterRetentionMilliseconds:
      options.deadLetterRetention === undefined
        ? defaultDeadLetterRetentionMilliseconds
        : toMilliseconds(options.deadLetterRetention, fieldNames.deadLetterRetention),
    fieldNames,
  };
}

function compileGroups(groupIds: readonly string[], field: string): CompiledGroupTopics[] {
  return [...new Set(groupIds)].map((groupId) => {
    try {
      return {
        groupId,
        blockedKeysTopic: blockedKeysTopic(groupId),
        waitingTopic: waitingTopic(groupId),
        redeliveryTopic: redeliveryTopic(groupId),
      };
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new ConfigError(
          field,
          `group "${groupId}": ${error.message.slice(error.field.length + 2)}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  });
}

function compileLadder(tiers: string | TierLadder, field: string): TierLadder {
  if (typeof tiers === 'string') {
    return parseTierLadder(tiers, field);
  }
  if (tiers.length === 0) {
    throw new ConfigError(field, 'the ladder is empty; give at least one tier');
  }
  return tiers;
}

function compileSourceTopics(
  topics: readonly string[],
  field: string,
  ricochetTopics: readonly string[],
): string[] {
  const unique = [...new Set(topics)];
  for (const topic of unique) {
    checkTopicName(topic, field);
    if (ricochetTopics.includes(topic)) {
      throw new ConfigError(
        field,
        `"${topic}" is one of Ricochet's own topics; a source topic needs another name`,
      );
    }
  }
  return unique;
}

function optionalCount(value: number | undefined, field: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  // Kafka carries partition and replica counts as 32-bit and 16-bit integers respectively.
  if (!Number.isSafeInteger(value) || value <= 0 || value > 32_767) {
    throw new ConfigError(field, `must be a whole number from 1 to 32767, not ${value}`);
  }
  return value;
}

function compileTierRetention(
  retention: string | number | undefined,
  ladder: TierLadder,
  field: string,
): number | undefined {
  if (retention === undefined) {
    return undefined;
  }
  const milliseconds = toMilliseconds(retention, field);
  const longest = ladder.reduce<Tier | undefined>(
    (found, tier) =>
      found === undefined || tier.delayMilliseconds > found.delayMilliseconds ? tier : found,
    undefined,
  );
  // Equal is refused too: a record would be deleted the moment it becomes due.
  if (longest !== undefined && milliseconds <= longest.delayMilliseconds) {
    throw new ConfigError(
      field,
      `${formatDuration(milliseconds)} is not longer than the ${formatDuration(longest.delayMilliseconds)} delay of ${longest.topic}; its records would be deleted before they are due`,
    );
  }
  return milliseconds;
}

function toMilliseconds(value: string | number, field: string): number {
  if (typeof value === 'string') {
    return parseDuration(value, field);
  }
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive whole number of milliseconds, not ${value}`);
  }
  return value;
}
