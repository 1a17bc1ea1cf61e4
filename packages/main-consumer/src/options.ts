import {
  boundedIntegerOption,
  checkDeadLetterGuard,
  choiceOption,
  ConfigError,
  defaultDeadLetterTopic,
  defaultLadderText,
  nonEmptyTextOption,
  parseDeadLetterGuard,
  parseTierLadder,
  positiveIntegerOption,
  redeliveryTopic,
  refuseRenamedOptions,
  type ConsumedRecord,
  type DeadLetterGuardSpec,
  type ErrorClassifier,
  type Logger,
  type RecordHeaders,
  type RetryContract,
  type TierLadder,
} from '@ricochet/core';
import {
  compileConnectionOptions,
  defaultConsumerMaxWaitMilliseconds,
  defaultPublishTimeoutMilliseconds,
  defaultSessionTimeoutMilliseconds,
  maxPartitionsConsumedConcurrently,
  sessionTimeoutBounds,
  type KafkaConnectionOptions,
  type ServiceConnectionOptions,
} from '@ricochet/kafka';
import {
  defaultCommitIntervalMilliseconds,
  defaultConcurrency,
  defaultFromBeginning,
  defaultHandlerTimeoutMilliseconds,
  defaultMaxHandlerCrashes,
  defaultMaxBytesPerPartition,
  defaultMaxInFlight,
  defaultMaxWaitingPerKey,
  defaultOnDeadLetter,
  defaultOrdering,
  defaultRedelivery,
  defaultRevokeGraceMilliseconds,
  defaultStallTimeoutMilliseconds,
  onDeadLetterChoices,
  orderings,
  redeliveryChoices,
  type OnDeadLetter,
  type Ordering,
  type Redelivery,
} from './defaults.js';
import type { MainConsumerEvent } from './events.js';
import type { RecordOutcome } from './record-outcome.js';

/** What the user's handler receives. */
export interface HandlerRecord<TValue> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  /** The value, decoded when a `decode` function was given, else the raw bytes. */
  readonly value: TValue;
  readonly rawValue: Buffer | null;
  /** The user's own headers; Ricochet's retry headers are in `retry`. */
  readonly headers: RecordHeaders;
  /** Failed attempts before this one: 0 on first delivery, 1 on the first redelivery, ... */
  readonly tryCount: number;
  /** The retry contract when this is a redelivery from a tier. */
  readonly retry: RetryContract | undefined;
}

export type RecordHandler<TValue> = (record: HandlerRecord<TValue>) => Promise<void> | void;

/**
 * Turns raw bytes into the handler's value. A throw is non-retryable (dead-letter, reason
 * `decode-failed`), unless the error is marked `retriable: true` (the registry is unreachable,
 * not the value wrong): then the record is retried through the tiers like a handler failure.
 */
export type ValueDecoder<TValue> = (
  value: Buffer | null,
  record: ConsumedRecord,
) => Promise<TValue> | TValue;

export interface MainConsumerOptions<TValue = Buffer | null> extends ServiceConnectionOptions {
  /** The consumer group; also stamped on retries as `retry-group`. */
  groupId: string;
  /** Source topics to consume. */
  topics: readonly string[];
  handler: RecordHandler<TValue>;
  decode?: ValueDecoder<TValue>;
  /** A ladder such as `5s,1m,10m`, or one already parsed. Default `5s,1m,10m`. */
  tiers?: string | TierLadder;
  /** Default `dlq`. */
  dlqTopic?: string;
  classify?: ErrorClassifier;
  /**
   * Partitions handled at once (fetched batches in hand at once). Default `defaultConcurrency`
   * (64, as many as records in flight).
   */
  concurrency?: number;
  /**
   * What order records of a partition are handled in. `key` (the default): records of one key
   * one at a time in offset order, different keys at once; the null-key records of a partition
   * form one lane, in offset order among themselves. `key-strict`: as `key`, and the order of a
   * key holds across retries: while a record is in the retry tiers, the later records of its key
   * wait behind it on the group's waiting topic (other keys go on), and are handled after it in
   * offset order; its state lives in the group's blocked-keys topic (`ricochet topology create
   * --group`). `partition`: one record of a partition at a time. `unordered`: no order.
   */
  ordering?: Ordering;
  /**
   * `key-strict`: what becomes of the records waiting behind a record that is dead-lettered.
   * `release` (the default): they are handled, as after a success. `dead-letter`: they are
   * dead-lettered too, with reason `predecessor-dead-lettered`.
   */
  onDeadLetter?: OnDeadLetter;
  /**
   * `key-strict`: records that may wait behind one blocked key; a record past it is dead-lettered
   * with reason `waiting-cap-exceeded`. Default `defaultMaxWaitingPerKey` (1000).
   */
  maxWaitingPerKey?: number;
  /**
   * Where the delay service sends this group's due retries. `source` (the default): back to the
   * original topic. `group`: to the group's redelivery topic (`redeliveryTopic(groupId)`,
   * `ricochet.<group>.redelivery`, created by `ricochet topology create --group`), which this
   * consumer reads through a consumer of its own (group `redeliveryGroup(groupId)`, named like
   * the topic), its records ahead of the source's for handler slots (see InFlightSlots): a retry
   * then waits for no source fetch or backlog, and no other group reads it. Not with `key-strict`.
   */
  redelivery?: Redelivery;
  /** Records handled at once across all partitions. Default `defaultMaxInFlight` (64). */
  maxInFlight?: number;
  /**
   * How long running handlers get to finish once their partition is revoked or the service
   * stops; after it, the batch is abandoned and nothing past them is committed (the next owner
   * handles them again). Default 10000.
   */
  revokeGraceMilliseconds?: number;
  sessionTimeoutMilliseconds?: number;
  /**
   * How long the broker may hold a fetch open while there is nothing to read; a stop waits for
   * the fetch in flight. Default `defaultConsumerMaxWaitMilliseconds` (5000).
   */
  maxWaitMilliseconds?: number;
  /**
   * The most a fetch returns per partition of the source topics (the redelivery reader always
   * fetches up to `defaultMaxBytesPerPartition`). Smaller source fetches leave the cores to
   * retries sooner in a burst, at the cost of more fetch round trips. Default
   * `defaultMaxBytesPerPartition` (1 MiB).
   */
  maxBytesPerPartition?: number;
  /**
   * How long publishes to the tiers may keep failing, while records wait to be handed on, before
   * the consumer fails (`ricochet run` then exits 1). Default `defaultPublishTimeoutMilliseconds`.
   */
  publishTimeoutMilliseconds?: number;
  /**
   * Longest wait for a handler call that returned a promise. A call that has not settled by then
   * fails with a HandlerTimeoutError (retryable) and its late result is ignored. Keep it below
   * the group's rebalance timeout (60 s): a rebalance waits for the call in hand. Default 30000.
   */
  handlerTimeoutMilliseconds?: number;
  /**
   * Readiness turns false when records wait in hand and none has finished for this long (a
   * stalled service). Default 60000.
   */
  stallTimeoutMilliseconds?: number;
  /**
   * A record that has crashed the process this many times (its handler call never came back:
   * process.exit, an uncaught throw, a kill) is dead-lettered with reason `handler-crashed`
   * instead of being handed to the handler again. Default 3.
   */
  maxHandlerCrashes?: number;
  /**
   * Pauses consumption when too many records are dead-lettered: `0.5,1m,100` trips once at
   * least 100 records were counted within a minute and half of them or more were dead-lettered;
   * `,cooldown=10m` resumes by itself after that long, `,count=failed` counts records sent to a
   * tier too (see docs/guarantees.md, G22). Tripped, the consumer finishes the records running,
   * commits them, pauses every partition and is not ready; `resumeDeadLetterGuard()` resumes it.
   * Default: no guard.
   */
  deadLetterGuard?: string | DeadLetterGuardSpec;
  /** Commit at least this often while working through a long batch. Default 1000. */
  commitIntervalMilliseconds?: number;
  /** Read source topics from the beginning when the group has no committed offset. Default false. */
  fromBeginning?: boolean;
  /** Called synchronously with each record's outcome once it may be committed; must not throw. */
  onOutcome?: (outcome: RecordOutcome, record: ConsumedRecord) => void;
  /** Called synchronously for each event; must not throw. */
  onEvent?: (event: MainConsumerEvent) => void;
}

export interface CompiledMainConsumerOptions<TValue> {
  readonly connection: KafkaConnectionOptions;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: RecordHandler<TValue>;
  readonly decode: ValueDecoder<TValue> | undefined;
  readonly ladder: TierLadder;
  readonly dlqTopic: string;
  readonly classify: ErrorClassifier | undefined;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly ordering: Ordering;
  readonly onDeadLetter: OnDeadLetter;
  readonly maxWaitingPerKey: number;
  readonly redelivery: Redelivery;
  /** `redelivery: 'group'`: the group's redelivery topic, consumed too; else undefined. */
  readonly redeliveryTopic: string | undefined;
  readonly maxInFlight: number;
  readonly revokeGraceMilliseconds: number;
  readonly sessionTimeoutMilliseconds: number;
  readonly maxWaitMilliseconds: number;
  readonly maxBytesPerPartition: number;
  readonly publishTimeoutMilliseconds: number;
  readonly handlerTimeoutMilliseconds: number;
  readonly stallTimeoutMilliseconds: number;
  readonly maxHandlerCrashes: number;
  readonly commitIntervalMilliseconds: number;
  /** Undefined: no guard. */
  readonly deadLetterGuard: DeadLetterGuardSpec | undefined;
  readonly fromBeginning: boolean;
  readonly onOutcome: (outcome: RecordOutcome, record: ConsumedRecord) => void;
  readonly onEvent: (event: MainConsumerEvent) => void;
}

/** Options a release of this package spelt otherwise, and their names now. */
const renamedOptions = { partitionsConsumedConcurrently: 'concurrency' };

/** Validates options once, at start-up; every error names the field. */
export function compileMainConsumerOptions<TValue>(
  options: MainConsumerOptions<TValue>,
): CompiledMainConsumerOptions<TValue> {
  refuseRenamedOptions(options, renamedOptions);
  if (options.topics.length === 0) {
    throw new ConfigError('topics', 'give at least one source topic');
  }
  options.topics.forEach((topic, index) => nonEmptyTextOption(`topics[${index}]`, topic));
  if (typeof options.handler !== 'function') {
    throw new ConfigError('handler', 'must be a function');
  }
  const ladder =
    typeof options.tiers === 'object'
      ? options.tiers
      : parseTierLadder(options.tiers ?? defaultLadderText);
  if (ladder.length === 0) {
    throw new ConfigError('tiers', 'the ladder is empty');
  }
  const dlqTopic = nonEmptyTextOption('dlqTopic', options.dlqTopic ?? defaultDeadLetterTopic);
  const internalTopics = new Set([dlqTopic, ...ladder.map((tier) => tier.topic)]);
  for (const topic of options.topics) {
    if (internalTopics.has(topic)) {
      throw new ConfigError(
        'topics',
        `${topic} is a retry tier or the dead-letter topic, not a source topic`,
      );
    }
  }
  const groupId = nonEmptyTextOption('groupId', options.groupId);
  const ordering = choiceOption('ordering', options.ordering, orderings, defaultOrdering);
  const redelivery = choiceOption(
    'redelivery',
    options.redelivery,
    redeliveryChoices,
    defaultRedelivery,
  );
  const groupRedeliveryTopic = redelivery === 'group' ? redeliveryTopic(groupId) : undefined;
  if (groupRedeliveryTopic !== undefined) {
    if (ordering === 'key-strict') {
      // key-strict knows a blocker is back by its source partition; a retry arriving on another
      // topic would pass its own blocked key.
      throw new ConfigError(
        'redelivery',
        "'group' does not work with ordering key-strict, whose blocked keys expect their retries on the source partition; use redelivery 'source'",
      );
    }
    if (options.topics.includes(groupRedeliveryTopic) || internalTopics.has(groupRedeliveryTopic)) {
      throw new ConfigError(
        'redelivery',
        `${groupRedeliveryTopic} is the group's redelivery topic; it cannot also be a source, tier or dead-letter topic`,
      );
    }
  }
  return {
    connection: compileConnectionOptions(options, `ricochet-main-${options.groupId}`),
    groupId,
    topics: options.topics,
    handler: options.handler,
    decode: options.decode,
    ladder,
    dlqTopic,
    classify: options.classify,
    logger: options.logger,
    concurrency: boundedIntegerOption('concurrency', options.concurrency, defaultConcurrency, {
      minimum: 1,
      maximum: maxPartitionsConsumedConcurrently,
    }),
    ordering,
    redelivery,
    redeliveryTopic: groupRedeliveryTopic,
    onDeadLetter: choiceOption(
      'onDeadLetter',
      options.onDeadLetter,
      onDeadLetterChoices,
      defaultOnDeadLetter,
    ),
    maxWaitingPerKey: positiveIntegerOption(
      'maxWaitingPerKey',
      options.maxWaitingPerKey,
      defaultMaxWaitingPerKey,
    ),
    maxInFlight: positiveIntegerOption('maxInFlight', options.maxInFlight, defaultMaxInFlight),
    revokeGraceMilliseconds: positiveIntegerOption(
      'revokeGraceMilliseconds',
      options.revokeGraceMilliseconds,
      defaultRevokeGraceMilliseconds,
    ),
    sessionTimeoutMilliseconds: boundedIntegerOption(
      'sessionTimeoutMilliseconds',
      options.sessionTimeoutMilliseconds,
      defaultSessionTimeoutMilliseconds,
      sessionTimeoutBounds,
    ),
    maxWaitMilliseconds: positiveIntegerOption(
      'maxWaitMilliseconds',
      options.maxWaitMilliseconds,
      defaultConsumerMaxWaitMilliseconds,
    ),
    maxBytesPerPartition: positiveIntegerOption(
      'maxBytesPerPartition',
      options.maxBytesPerPartition,
      defaultMaxBytesPerPartition,
    ),
    publishTimeoutMilliseconds: positiveIntegerOption(
      'publishTimeoutMilliseconds',
      options.publishTimeoutMilliseconds,
      defaultPublishTimeoutMilliseconds,
    ),
    handlerTimeoutMilliseconds: positiveIntegerOption(
      'handlerTimeoutMilliseconds',
      options.handlerTimeoutMilliseconds,
      defaultHandlerTimeoutMilliseconds,
    ),
    stallTimeoutMilliseconds: positiveIntegerOption(
      'stallTimeoutMilliseconds',
      options.stallTimeoutMilliseconds,
      defaultStallTimeoutMilliseconds,
    ),
    maxHandlerCrashes: positiveIntegerOption(
      'maxHandlerCrashes',
      options.maxHandlerCrashes,
      defaultMaxHandlerCrashes,
    ),
    commitIntervalMilliseconds: positiveIntegerOption(
      'commitIntervalMilliseconds',
      options.commitIntervalMilliseconds,
      defaultCommitIntervalMilliseconds,
    ),
    deadLetterGuard:
      options.deadLetterGuard === undefined
        ? undefined
        : typeof options.deadLetterGuard === 'string'
          ? parseDeadLetterGuard(options.deadLetterGuard, 'deadLetterGuard')
          : checkDeadLetterGuard(options.deadLetterGuard, 'deadLetterGuard'),
    fromBeginning: options.fromBeginning ?? defaultFromBeginning,
    onOutcome: options.onOutcome ?? (() => {}),
    onEvent: options.onEvent ?? (() => {}),
  };
}
