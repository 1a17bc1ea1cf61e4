import { blockedKeysMinCompactionLagMilliseconds, ConfigError } from '@ricochet/core';
import type { CompiledTopologyOptions } from './options.js';
import { defaultTierRetentionMilliseconds } from './retention.js';
import type { ObservedTopic } from './observed.js';

/**
 * Tiers, the dead-letter topic and a group's blocked-keys, waiting and redelivery topics are
 * Ricochet's; source topics belong to the application.
 */
export type TopicRole =
  'tier' | 'dead-letter' | 'blocked-keys' | 'waiting' | 'redelivery' | 'source';

export interface PlannedTopicName {
  readonly name: string;
  readonly role: TopicRole;
}

/** One topic as the plan wants it. */
export interface TopicSpec extends PlannedTopicName {
  readonly partitions: number;
  readonly replicationFactor: number;
  /**
   * The complete set of topic-level configs Ricochet keeps on a topic it owns. Empty for source
   * topics: their configs are their owners' business, and Ricochet neither sets nor checks them.
   */
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopologyPlan {
  readonly topics: readonly TopicSpec[];
}

/** What the plan needs to know about the cluster it is for. */
export interface ClusterShape {
  readonly brokerCount: number;
  /** The brokers' message.max.bytes: the max.message.bytes of a topic that sets none. */
  readonly brokerMessageMaxBytes: number;
  /** Topics that exist already, for the source topics' own max.message.bytes. */
  readonly topics?: ReadonlyMap<string, Pick<ObservedTopic, 'configs'>>;
}

/** Kafka's usual production choice: survive one broker loss while another is down for upkeep. */
const preferredReplicationFactor = 3;

export const TopicConfig = {
  retention: 'retention.ms',
  minInsyncReplicas: 'min.insync.replicas',
  cleanupPolicy: 'cleanup.policy',
  maxMessageBytes: 'max.message.bytes',
  messageTimestampType: 'message.timestamp.type',
  minCompactionLag: 'min.compaction.lag.ms',
} as const;

/** Kafka's own default for message.max.bytes, for a broker that does not report it. */
export const kafkaDefaultMessageMaxBytes = 1_048_588;

/**
 * How much larger than the largest source record a tier or dead-letter record may be. Ricochet's
 * headers take at most about 20 KB (the error stack is cut at 4,000 characters, the message at
 * 1,000) plus the consumer group's name; a source record that fits its topic must still fit a
 * tier and the dead-letter topic once they are added.
 */
export const headerHeadroomBytes = 64 * 1024;

/** Configs whose planned value is a minimum: a topic with more is not drift. */
export const minimumConfigs: ReadonlySet<string> = new Set([TopicConfig.maxMessageBytes]);

/** Whether `actual` satisfies the plan's `planned` value of `config`. */
export function configSatisfies(
  config: string,
  planned: string,
  actual: string | undefined,
): boolean {
  if (actual === undefined || !minimumConfigs.has(config)) {
    return actual === planned;
  }
  return Number(actual) >= Number(planned);
}

/**
 * Every topic the options name, in order: tiers up the ladder, the dead-letter topic, each
 * group's blocked-keys, waiting and redelivery topics, sources.
 */
export function plannedTopicNames(options: CompiledTopologyOptions): PlannedTopicName[] {
  return [
    ...options.ladder.map((tier) => ({ name: tier.topic, role: 'tier' as const })),
    { name: options.deadLetterTopic, role: 'dead-letter' as const },
    ...options.groups.flatMap((group) => [
      { name: group.blockedKeysTopic, role: 'blocked-keys' as const },
      { name: group.waitingTopic, role: 'waiting' as const },
      { name: group.redeliveryTopic, role: 'redelivery' as const },
    ]),
    ...options.sourceTopics.map((name) => ({ name, role: 'source' as const })),
  ];
}

/**
 * The topics Ricochet wants on a cluster of `cluster.brokerCount` brokers. Throws a ConfigError
 * when the options ask for more replicas than the cluster has brokers.
 */
export function planTopology(
  options: CompiledTopologyOptions,
  cluster: ClusterShape,
): TopologyPlan {
  const replicationFactor = resolveReplicationFactor(options, cluster);
  const minInsyncReplicas = options.minInsyncReplicas ?? Math.max(1, replicationFactor - 1);
  if (minInsyncReplicas > replicationFactor) {
    throw new ConfigError(
      options.fieldNames.minInsyncReplicas,
      `${minInsyncReplicas} is more than the replication factor ${replicationFactor}; every acknowledged write would fail`,
    );
  }
  const largestSource = largestSourceMessageBytes(options, cluster);
  const maxMessageBytes = largestSource + headerHeadroomBytes;
  const ownedConfigs = (retentionMilliseconds: number): Record<string, string> => ({
    [TopicConfig.retention]: String(retentionMilliseconds),
    [TopicConfig.minInsyncReplicas]: String(minInsyncReplicas),
    // A compacted tier would keep only the last record per key and silently drop retries.
    [TopicConfig.cleanupPolicy]: 'delete',
    [TopicConfig.maxMessageBytes]: String(maxMessageBytes),
  });
  const shape = { partitions: options.partitions, replicationFactor };
  const groupTopics = options.groups.flatMap((group): TopicSpec[] => [
    {
      name: group.blockedKeysTopic,
      role: 'blocked-keys',
      ...shape,
      configs: {
        [TopicConfig.minInsyncReplicas]: String(minInsyncReplicas),
        // The state of each key: the last record per record key is all that counts.
        [TopicConfig.cleanupPolicy]: 'compact',
        // A next owner may need a version superseded by a write it does not believe.
        [TopicConfig.minCompactionLag]: String(blockedKeysMinCompactionLagMilliseconds),
        // A record names its key in base64, a third larger than the key's bytes.
        [TopicConfig.maxMessageBytes]: String(
          Math.ceil((largestSource * 4) / 3) + headerHeadroomBytes,
        ),
      },
    },
    {
      name: group.waitingTopic,
      role: 'waiting',
      ...shape,
      configs: {
        ...ownedConfigs(options.waitingRetentionMilliseconds),
        // A drain finds where to start by time (offsets for a timestamp), which only the broker's
        // own clock makes monotonic within a partition.
        [TopicConfig.messageTimestampType]: 'LogAppendTime',
      },
    },
    {
      // Due retries wait there only until the group's consumer reads them; they are kept as long
      // as waiting records, through an outage of the consumer. Partitioned like every other
      // topic: a retry goes back to its original partition number when the topic has it.
      name: group.redeliveryTopic,
      role: 'redelivery',
      ...shape,
      configs: ownedConfigs(options.waitingRetentionMilliseconds),
    },
  ]);
  return {
    topics: [
      ...options.ladder.map((tier) => ({
        name: tier.topic,
        role: 'tier' as const,
        ...shape,
        configs: ownedConfigs(
          options.tierRetentionMilliseconds ?? defaultTierRetentionMilliseconds(tier),
        ),
      })),
      {
        name: options.deadLetterTopic,
        role: 'dead-letter' as const,
        ...shape,
        configs: ownedConfigs(options.deadLetterRetentionMilliseconds),
      },
      ...groupTopics,
      ...options.sourceTopics.map((name) => ({
        name,
        role: 'source' as const,
        ...shape,
        configs: {},
      })),
    ],
  };
}

/** The largest record batch a source topic takes: its own limit, or the brokers' for a new one. */
function largestSourceMessageBytes(
  options: CompiledTopologyOptions,
  cluster: ClusterShape,
): number {
  const limits = options.sourceTopics.map((name) => {
    const own = Number(cluster.topics?.get(name)?.configs[TopicConfig.maxMessageBytes]);
    return Number.isSafeInteger(own) && own > 0 ? own : cluster.brokerMessageMaxBytes;
  });
  return Math.max(cluster.brokerMessageMaxBytes, ...limits);
}

export function isOwnedByRicochet(topic: PlannedTopicName): boolean {
  return topic.role !== 'source';
}

function resolveReplicationFactor(options: CompiledTopologyOptions, cluster: ClusterShape): number {
  if (options.replicationFactor === undefined) {
    return Math.max(1, Math.min(preferredReplicationFactor, cluster.brokerCount));
  }
  if (options.replicationFactor > cluster.brokerCount) {
    throw new ConfigError(
      options.fieldNames.replicationFactor,
      `${options.replicationFactor} is more than the ${cluster.brokerCount} broker(s) in the cluster; each replica needs its own broker`,
    );
  }
  return options.replicationFactor;
}
