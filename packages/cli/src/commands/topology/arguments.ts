import type { Argv } from 'yargs';
import {
  blockedKeysTopic,
  ConfigError,
  defaultDeadLetterTopic,
  defaultLadderText,
  formatDuration,
  redeliveryTopic,
  waitingTopic,
} from '@ricochet/core';
import {
  compileTopologyOptions,
  defaultPartitions,
  defaultWaitingRetentionMilliseconds,
  topologyConnectionTimeoutMilliseconds,
  topologyRequestTimeoutMilliseconds,
  type CompiledTopologyOptions,
  type TopologyConnectionOptions,
  type TopologyFieldNames,
} from '@ricochet/topology';
import type { ConnectionDefaults } from '@ricochet/service-config';
import { cliLogger } from '../../cli-logger.js';
import { connectionOptionsFrom } from '../../connection-options.js';
import type { CliIo } from '../../io.js';
import { withConnectionFlags } from '../../setting-flags.js';

/** The timeouts stay short unless set: a person waits on these commands. */
const connectionDefaults: ConnectionDefaults = {
  clientId: 'ricochet-cli',
  connectionTimeoutMs: topologyConnectionTimeoutMilliseconds,
  requestTimeoutMs: topologyRequestTimeoutMilliseconds,
};

/** Errors name the flags as typed, not the option fields behind them. */
const flagNames: TopologyFieldNames = {
  tiers: '--tiers',
  deadLetterTopic: '--dlq',
  sourceTopics: '--topic',
  groups: '--group',
  waitingRetention: '--waiting-retention',
  partitions: '--partitions',
  replicationFactor: '--replication-factor',
  minInsyncReplicas: '--min-insync-replicas',
  tierRetention: '--retention',
  deadLetterRetention: '--dlq-retention',
};

/**
 * The flags every topology subcommand takes: which topics are meant. Where the cluster is comes
 * from the connection flags (`withConnectionFlags`), read by `connectionFrom`.
 */
export interface TopicArguments {
  tiers?: string;
  dlq?: string;
  topic?: string[];
  group?: string[];
  json: boolean;
  verbose: boolean;
}

/** The flags that shape the topics, for the subcommands that compare with or apply the plan. */
export interface PlanArguments extends TopicArguments {
  partitions?: string;
  replicationFactor?: string;
  minInsyncReplicas?: string;
  retention?: string;
  dlqRetention?: string;
  waitingRetention?: string;
}

export function withTopicArguments<T>(yargs: Argv<T>) {
  return withConnectionFlags(yargs, connectionDefaults)
    .option('tiers', {
      type: 'string',
      coerce: lastValue,
      describe: `the retry ladder; each delay gets a topic retry-<delay> (default: ${defaultLadderText})`,
    })
    .option('dlq', {
      type: 'string',
      coerce: lastValue,
      describe: `the dead-letter topic (default: ${defaultDeadLetterTopic})`,
    })
    .option('topic', {
      type: 'string',
      array: true,
      describe: 'a source topic to include as well; repeat or separate with commas',
    })
    .option('group', {
      type: 'string',
      array: true,
      describe: `a consumer group G running with --ordering key-strict or --redelivery group: include its topics ${blockedKeysTopic('G')} (compacted), ${waitingTopic('G')} and ${redeliveryTopic('G')}; repeat or separate with commas`,
    })
    .option('json', { type: 'boolean', default: false, describe: 'write the result as JSON' })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'log what the Kafka client does, to standard error',
    });
}

export function withPlanArguments<T>(yargs: Argv<T>) {
  return withTopicArguments(yargs)
    .option('partitions', {
      type: 'string',
      coerce: lastValue,
      describe: `partitions per topic (default: ${defaultPartitions})`,
    })
    .option('replication-factor', {
      type: 'string',
      coerce: lastValue,
      describe: 'replicas per partition (default: 3, or the broker count if smaller)',
    })
    .option('min-insync-replicas', {
      type: 'string',
      coerce: lastValue,
      describe:
        'min.insync.replicas of the tier and dead-letter topics (default: replication factor - 1, at least 1)',
    })
    .option('retention', {
      type: 'string',
      coerce: lastValue,
      describe:
        'retention of every tier topic, longer than the longest delay (default: per tier, the longer of 7d and 10 x its delay)',
    })
    .option('dlq-retention', {
      type: 'string',
      coerce: lastValue,
      describe: 'retention of the dead-letter topic (default: 14d)',
    })
    .option('waiting-retention', {
      type: 'string',
      coerce: lastValue,
      describe: `retention of the --group waiting and redelivery topics, longer than a key may stay blocked or a consumer down (default: ${formatDuration(defaultWaitingRetentionMilliseconds)})`,
    });
}

/** Checks the flags once, before any connection; describe and delete simply lack the plan flags. */
export function compileTopologyArguments(argv: PlanArguments): CompiledTopologyOptions {
  return compileTopologyOptions({
    ...(argv.tiers === undefined ? {} : { tiers: argv.tiers }),
    ...(argv.dlq === undefined ? {} : { deadLetterTopic: argv.dlq }),
    sourceTopics: (argv.topic ?? []).flatMap((topic) => topic.split(',')),
    groups: (argv.group ?? []).flatMap((group) => group.split(',')),
    partitions: wholeNumber(argv.partitions, flagNames.partitions),
    replicationFactor: wholeNumber(argv.replicationFactor, flagNames.replicationFactor),
    minInsyncReplicas: wholeNumber(argv.minInsyncReplicas, flagNames.minInsyncReplicas),
    tierRetention: argv.retention,
    deadLetterRetention: argv.dlqRetention,
    waitingRetention: argv.waitingRetention,
    fieldNames: flagNames,
  });
}

/** Where the cluster is and how to reach it, and how the Kafka client logs meanwhile. */
export function connectionFrom(argv: TopicArguments, io: CliIo): TopologyConnectionOptions {
  return {
    ...connectionOptionsFrom(argv, io, connectionDefaults),
    logger: cliLogger(argv.verbose, io.stderr),
  };
}

/** Counts arrive as text so that `--partitions abc` is refused by name instead of becoming NaN. */
function wholeNumber(text: string | undefined, field: string): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (!/^-?\d+$/.test(text.trim())) {
    throw new ConfigError(field, `"${text}" is not a whole number`);
  }
  return Number(text);
}

/**
 * A flag given twice keeps its last value, as on most command lines. yargs would otherwise make
 * an array of it; the parser setting that prevents this would also drop all but the last --topic.
 */
function lastValue(value: string | string[]): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}
