import {
  boundedIntegerOption,
  compileTopicPatterns,
  ConfigError,
  nonEmptyTextOption,
  positiveIntegerOption,
  parseTierReference,
  type DeadLetterReason,
  type Logger,
  type Tier,
  type TopicPatterns,
} from '@ricochet/core';
import {
  compileConnectionOptions,
  sessionTimeoutBounds,
  defaultPublishTimeoutMilliseconds,
  type BatchConsumed,
  type CommitFailed,
  type KafkaConnectionOptions,
  type PublishFailed,
} from '@ricochet/kafka';

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

export interface DelayConsumerOptions {
  brokers: readonly string[];
  clientId?: string;
  ssl?: KafkaConnectionOptions['ssl'];
  sasl?: KafkaConnectionOptions['sasl'];
  /** How long to wait for a broker connection. Default 3000. */
  connectionTimeoutMilliseconds?: number;
  /** How long to wait for a broker's answer to a request. Default 30000. */
  requestTimeoutMilliseconds?: number;
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
  logger: Logger;
  /**
   * The longest a fetch waits for data. A held partition resumed while another fetch is waiting
   * is fetched only after that one returns; records read ahead do not wait for it. Default 50.
   */
  maxWaitTimeMilliseconds?: number;
  /**
   * Records due within this many milliseconds are read ahead into memory and released by a
   * timer at their due-at, without waiting for the next fetch. A record due later holds its
   * partition, which is read again when that record is half this far from due. Default 2000.
   */
  readAheadMilliseconds?: number;
  /**
   * The most bytes of records read ahead per partition; a partition that has this much waiting
   * is held until some of it is released. Default 1048576 (1 MiB).
   */
  maxReadAheadBytes?: number;
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
  readonly maxWaitTimeMilliseconds: number;
  readonly readAheadMilliseconds: number;
  readonly maxReadAheadBytes: number;
  readonly maxClockSkewMilliseconds: number;
  readonly sessionTimeoutMilliseconds: number;
  readonly publishTimeoutMilliseconds: number;
  readonly maxBytesPerPartition: number;
  readonly maxRedeliveryBatch: number;
  readonly onEvent: (event: DelayConsumerEvent) => void;
}

/** `retry-5s` or `5s` -> the tier (kept here for existing importers; the rule lives in core). */
export function parseTierOption(
  text: string,
  field = 'tier',
): Pick<Tier, 'topic' | 'delayMilliseconds'> {
  return parseTierReference(text, field);
}

export function compileDelayConsumerOptions(
  options: DelayConsumerOptions,
): CompiledDelayConsumerOptions {
  const tier = parseTierOption(options.tier);
  const groupId = nonEmptyTextOption('groupId', options.groupId ?? `ricochet-delay-${tier.topic}`);
  const dlqTopic = options.dlqTopic ?? 'dlq';
  if (dlqTopic.trim() === '' || dlqTopic === tier.topic) {
    throw new ConfigError('dlqTopic', `must be a topic other than the tier (${tier.topic})`);
  }
  return {
    connection: compileConnectionOptions(options, `ricochet-delay-${tier.topic}`),
    tier,
    groupId,
    dlqTopic,
    allowedTopics:
      options.allowedTopics === undefined
        ? undefined
        : compileTopicPatterns(options.allowedTopics, 'allowedTopics'),
    logger: options.logger,
    maxWaitTimeMilliseconds: positiveIntegerOption(
      'maxWaitTimeMilliseconds',
      options.maxWaitTimeMilliseconds,
      50,
    ),
    readAheadMilliseconds: positiveIntegerOption(
      'readAheadMilliseconds',
      options.readAheadMilliseconds,
      2_000,
    ),
    maxReadAheadBytes: positiveIntegerOption(
      'maxReadAheadBytes',
      options.maxReadAheadBytes,
      1_048_576,
    ),
    maxClockSkewMilliseconds: positiveIntegerOption(
      'maxClockSkewMilliseconds',
      options.maxClockSkewMilliseconds,
      60_000,
    ),
    sessionTimeoutMilliseconds: boundedIntegerOption(
      'sessionTimeoutMilliseconds',
      options.sessionTimeoutMilliseconds,
      30_000,
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
      65_536,
    ),
    maxRedeliveryBatch: positiveIntegerOption(
      'maxRedeliveryBatch',
      options.maxRedeliveryBatch,
      500,
    ),
    onEvent: options.onEvent ?? (() => {}),
  };
}
