import {
  boundedIntegerOption,
  compileTopicPatterns,
  ConfigError,
  defaultDeadLetterTopic,
  nonEmptyTextOption,
  positiveIntegerOption,
  parseTierReference,
  refuseRenamedOptions,
  type DeadLetterReason,
  type Logger,
  type Tier,
  type TopicPatterns,
} from '@ricochet/core';
import {
  compileConnectionOptions,
  defaultPublishTimeoutMilliseconds,
  defaultSessionTimeoutMilliseconds,
  sessionTimeoutBounds,
  type BatchConsumed,
  type CommitFailed,
  type KafkaConnectionOptions,
  type PublishFailed,
  type ServiceConnectionOptions,
} from '@ricochet/kafka';
import {
  defaultMaxBytesPerPartition,
  defaultMaxClockSkewMilliseconds,
  defaultMaxRedeliveryBatch,
  defaultMaxWaitMilliseconds,
  defaultReadAheadBytes,
  defaultReadAheadMilliseconds,
  delayGroupId,
} from './defaults.js';

/** What a delay consumer reports as it works: for metrics, demos and tests. */
export type DelayConsumerEvent =
  | {
      readonly type: 'assigned';
      readonly groupId: string;
      /** The tier topic's partitions this instance now owns. */
      readonly partitions: readonly number[];
    }
  | {
      readonly type: 'held';
      readonly partition: number;
      readonly offset: string;
      readonly dueAt: number;
    }
  | { readonly type: 'redelivered'; readonly topic: string; readonly latenessMilliseconds: number }
  | { readonly type: 'dead-lettered'; readonly reason: DeadLetterReason }
  | BatchConsumed
  | CommitFailed
  | PublishFailed;

export interface DelayConsumerOptions extends ServiceConnectionOptions {
  /** The tier to serve, by topic (`retry-5s`) or by delay (`5s`). */
  tier: string;
  /** Default `ricochet-delay-<tier topic>`; instances sharing it split the tier's partitions. */
  groupId?: string;
  /** Where unroutable tier records go. Default `dlq`. */
  dlqTopic?: string;
  /**
   * The topics redeliveries may go to: names, or globs where `*` is any run of characters
   * (`orders`, `orders.*`). A tier record whose original-topic matches none is dead-lettered as
   * `topic-not-allowed`, never written there: anyone who can write to a tier can otherwise make
   * this service write to any topic it may write to. Default: every topic but internal ones.
   */
  allowedTopics?: readonly string[];
  /**
   * The longest a fetch waits for data. A held partition resumed while another fetch is waiting
   * is fetched only after that one returns; records read ahead do not wait for it. Default 50.
   */
  maxWaitMilliseconds?: number;
  /**
   * Records due within this many milliseconds are read ahead into memory and released by a
   * timer at their due-at, without waiting for the next fetch. A record due later holds its
   * partition, which is read again when that record is half this far from due. Default 2000.
   */
  readAheadMilliseconds?: number;
  /**
   * The most bytes of records read ahead, all partitions together; a partition with records
   * waiting that would take more is held until some are released (a partition with none waiting
   * always takes one). Default 33554432 (32 MiB).
   */
  readAheadBytes?: number;
  /**
   * How far past `now + tier delay` a `due-at` may lie (clock skew between hosts) before the
   * record is dead-lettered as `due-at-out-of-range` rather than held. Default 60000.
   */
  maxClockSkewMilliseconds?: number;
  sessionTimeoutMilliseconds?: number;
  /**
   * How long redelivery publishes may keep failing, while records wait to be redelivered, before
   * the consumer fails (`ricochet run` then exits 1). Default `defaultPublishTimeoutMilliseconds`.
   */
  publishTimeoutMilliseconds?: number;
  /**
   * The most a fetch returns per partition. What a fetch returns beyond the read-ahead is
   * dropped and read again when the partition resumes. Default 65536.
   */
  maxBytesPerPartition?: number;
  /** Redeliveries published in one acknowledged request set, across partitions. Default 500. */
  maxRedeliveryBatch?: number;
  /** Called synchronously for each event; must not throw. */
  onEvent?: (event: DelayConsumerEvent) => void;
}

export interface CompiledDelayConsumerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly tier: Pick<Tier, 'topic' | 'delayMilliseconds'>;
  readonly groupId: string;
  readonly dlqTopic: string;
  /** Undefined when every topic but internal ones is allowed. */
  readonly allowedTopics: TopicPatterns | undefined;
  readonly logger: Logger;
  readonly maxWaitMilliseconds: number;
  readonly readAheadMilliseconds: number;
  readonly readAheadBytes: number;
  readonly maxClockSkewMilliseconds: number;
  readonly sessionTimeoutMilliseconds: number;
  readonly publishTimeoutMilliseconds: number;
  readonly maxBytesPerPartition: number;
  readonly maxRedeliveryBatch: number;
  readonly onEvent: (event: DelayConsumerEvent) => void;
}

/** Options a release of this package spelt otherwise, and their names now. */
const renamedOptions = {
  maxWaitTimeMilliseconds: 'maxWaitMilliseconds',
  maxReadAheadBytes: 'readAheadBytes',
};

export function compileDelayConsumerOptions(
  options: DelayConsumerOptions,
): CompiledDelayConsumerOptions {
  refuseRenamedOptions(options, renamedOptions);
  const tier = parseTierReference(options.tier);
  const groupId = nonEmptyTextOption('groupId', options.groupId ?? delayGroupId(tier.topic));
  const dlqTopic = options.dlqTopic ?? defaultDeadLetterTopic;
  if (dlqTopic.trim() === '' || dlqTopic === tier.topic) {
    throw new ConfigError('dlqTopic', `must be a topic other than the tier (${tier.topic})`);
  }
  return {
    connection: compileConnectionOptions(options, delayGroupId(tier.topic)),
    tier,
    groupId,
    dlqTopic,
    allowedTopics:
      options.allowedTopics === undefined
        ? undefined
        : compileTopicPatterns(options.allowedTopics, 'allowedTopics'),
    logger: options.logger,
    maxWaitMilliseconds: positiveIntegerOption(
      'maxWaitMilliseconds',
      options.maxWaitMilliseconds,
      defaultMaxWaitMilliseconds,
    ),
    readAheadMilliseconds: positiveIntegerOption(
      'readAheadMilliseconds',
      options.readAheadMilliseconds,
      defaultReadAheadMilliseconds,
    ),
    readAheadBytes: positiveIntegerOption(
      'readAheadBytes',
      options.readAheadBytes,
      defaultReadAheadBytes,
    ),
    maxClockSkewMilliseconds: positiveIntegerOption(
      'maxClockSkewMilliseconds',
      options.maxClockSkewMilliseconds,
      defaultMaxClockSkewMilliseconds,
    ),
    sessionTimeoutMilliseconds: boundedIntegerOption(
      'sessionTimeoutMilliseconds',
      options.sessionTimeoutMilliseconds,
      defaultSessionTimeoutMilliseconds,
      sessionTimeoutBounds,
    ),
    publishTimeoutMilliseconds: positiveIntegerOption(
      'publishTimeoutMilliseconds',
      options.publishTimeoutMilliseconds,
      defaultPublishTimeoutMilliseconds,
    ),
    maxBytesPerPartition: positiveIntegerOption(
      'maxBytesPerPartition',
      options.maxBytesPerPartition,
      defaultMaxBytesPerPartition,
    ),
    maxRedeliveryBatch: positiveIntegerOption(
      'maxRedeliveryBatch',
      options.maxRedeliveryBatch,
      defaultMaxRedeliveryBatch,
    ),
    onEvent: options.onEvent ?? (() => {}),
  };
}
