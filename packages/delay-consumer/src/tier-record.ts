import {
  ConfigError,
  describeHeaderProblems,
  internalTopicPrefix,
  isTierTopicName,
  readRetryContract,
  redeliveryTopic,
  type ConsumedRecord,
  type DeadLetterReason,
  type RetryContract,
} from '@ricochet/core';

export interface InspectionLimits {
  readonly now: number;
  readonly tierDelayMilliseconds: number;
  readonly maxClockSkewMilliseconds: number;
}

/** What to do with one record read from a tier topic. */
export type TierRecordInspection =
  | { readonly kind: 'hold'; readonly dueAt: number; readonly contract: RetryContract }
  | { readonly kind: 'due'; readonly contract: RetryContract }
  | { readonly kind: 'unroutable'; readonly reason: DeadLetterReason; readonly detail: string };

/**
 * Decides, without I/O, whether a tier record waits, is due, or cannot be routed. A `due-at`
 * further ahead than the tier's own delay (plus clock skew) was not written by a main consumer
 * of this ladder; holding it would park the whole partition behind it, possibly for years.
 */
export function inspectTierRecord(
  record: ConsumedRecord,
  limits: InspectionLimits,
): TierRecordInspection {
  const reading = readRetryContract(record.headers);
  if (!reading.ok) {
    return {
      kind: 'unroutable',
      reason: 'malformed-retry-headers',
      detail: describeHeaderProblems(reading.problems),
    };
  }
  const { dueAt } = reading.contract;
  const latestPlausibleDueAt =
    limits.now + limits.tierDelayMilliseconds + limits.maxClockSkewMilliseconds;
  if (dueAt > latestPlausibleDueAt) {
    return {
      kind: 'unroutable',
      reason: 'due-at-out-of-range',
      detail: `due-at ${dueAt} is ${dueAt - limits.now} ms ahead, more than the tier delay ${limits.tierDelayMilliseconds} ms plus ${limits.maxClockSkewMilliseconds} ms of clock skew`,
    };
  }
  if (dueAt > limits.now) {
    return { kind: 'hold', dueAt, contract: reading.contract };
  }
  return { kind: 'due', contract: reading.contract };
}

/** Topics a redelivery must never go to: Kafka's internal ones and Ricochet's own. */
export function isInternalTopic(topic: string, ricochetTopics: ReadonlySet<string>): boolean {
  return (
    topic.startsWith(internalTopicPrefix) || ricochetTopics.has(topic) || isTierTopicName(topic)
  );
}

/**
 * Where a due record goes, read from its contract: its original topic, or the retry group's
 * redelivery topic when `redeliver-to` names it.
 */
export type RedeliveryTarget =
  | { readonly kind: 'original' | 'group'; readonly topic: string }
  | { readonly kind: 'refused'; readonly detail: string };

/**
 * Decides, without I/O, the topic a due record is sent to. `redeliver-to` is written by whoever
 * wrote the tier record, so it is believed only when it names the original topic or exactly the
 * redelivery topic derived from the record's own `retry-group`: a tier record can then reach no
 * topic that its original topic and its group did not already lead to.
 */
export function redeliveryTarget(contract: RetryContract): RedeliveryTarget {
  const { redeliverTo, original, retryGroup } = contract;
  if (redeliverTo === undefined || redeliverTo === original.topic) {
    return { kind: 'original', topic: original.topic };
  }
  const groupTopic = groupRedeliveryTopic(retryGroup);
  if (redeliverTo !== groupTopic) {
    return {
      kind: 'refused',
      detail: `redeliver-to ${redeliverTo} is neither original-topic ${original.topic} nor the redelivery topic of retry-group ${retryGroup}${groupTopic === undefined ? ' (which makes no legal topic name)' : ` (${groupTopic})`}`,
    };
  }
  return { kind: 'group', topic: groupTopic };
}

/** The group's redelivery topic, or undefined when the group id makes no legal topic name. */
function groupRedeliveryTopic(retryGroup: string): string | undefined {
  try {
    return redeliveryTopic(retryGroup);
  } catch (error) {
    if (error instanceof ConfigError) {
      return undefined;
    }
    throw error;
  }
}
