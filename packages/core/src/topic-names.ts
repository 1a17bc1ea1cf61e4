import { ConfigError } from './errors.js';

/** Where dead letters go unless a service or the topology is told otherwise. */
export const defaultDeadLetterTopic = 'dlq';

/**
 * The prefix of the topics Ricochet keeps per consumer group (ordering `key-strict`, redelivery
 * `group`).
 */
export const groupTopicPrefix = 'ricochet.';

/**
 * The compacted topic holding group `groupId`'s blocked keys (ordering `key-strict`); throws a
 * ConfigError naming `groupId` when the group id makes no legal topic name.
 */
export function blockedKeysTopic(groupId: string): string {
  return groupTopic(groupId, 'blocked-keys');
}

/**
 * The topic where group `groupId`'s records wait behind their blocked keys (ordering
 * `key-strict`); throws a ConfigError naming `groupId` when it makes no legal topic name.
 */
export function waitingTopic(groupId: string): string {
  return groupTopic(groupId, 'waiting');
}

/**
 * The topic the delay service sends group `groupId`'s due retries to when the group runs with
 * `redelivery: 'group'`: its main consumer reads it through a consumer of its own
 * (`redeliveryGroup`), ahead of the source topics, so a retry does not queue behind the source
 * backlog nor pass through every other group sharing the source topic. Throws a ConfigError naming `groupId` when it makes no legal topic name.
 */
export function redeliveryTopic(groupId: string): string {
  return groupTopic(groupId, 'redelivery');
}

/**
 * The consumer group that reads group `groupId`'s redelivery topic (`redelivery: 'group'`): named
 * after the topic, and apart from `groupId`, so that the main consumer reads its retries through a
 * consumer of their own, whose fetches never wait for the source's batches.
 */
export function redeliveryGroup(groupId: string): string {
  return redeliveryTopic(groupId);
}

function groupTopic(groupId: string, suffix: string): string {
  if (groupId === '') {
    throw new ConfigError('groupId', 'a consumer group id cannot be empty');
  }
  return checkTopicName(`${groupTopicPrefix}${groupId}.${suffix}`, 'groupId');
}

/** Kafka's limit: longer names overflow the partition directory names on the brokers. */
export const maxTopicNameLength = 249;

/** Kafka's own topics (__consumer_offsets, __transaction_state) begin with this. */
export const internalTopicPrefix = '__';

/**
 * The characters Kafka accepts in a topic name, as the inside of a regular-expression character
 * class (the hyphen escaped, so that topic patterns can add `*` to it).
 */
export const topicNameCharacters = 'a-zA-Z0-9._\\-';

const legalTopicNameCharacters = new RegExp(`^[${topicNameCharacters}]+$`);

/** Whether the broker accepts `name` as a topic name (Kafka's internal topics included). */
export function isLegalTopicName(name: string): boolean {
  return topicNameProblem(name, { internalAllowed: true }) === undefined;
}

/**
 * Returns `name` when Kafka would accept it as a topic name and it is not one of Kafka's internal
 * topics, or throws a ConfigError naming `field`.
 */
export function checkTopicName(name: string, field: string): string {
  const problem = topicNameProblem(name, { internalAllowed: false });
  if (problem !== undefined) {
    throw new ConfigError(field, problem);
  }
  return name;
}

function topicNameProblem(
  name: string,
  { internalAllowed }: { readonly internalAllowed: boolean },
): string | undefined {
  if (name === '') {
    return 'a topic name cannot be empty';
  }
  if (name === '.' || name === '..') {
    return `"${name}" is not allowed as a topic name`;
  }
  if (name.length > maxTopicNameLength) {
    return `"${name.slice(0, 40)}..." is ${name.length} characters; Kafka allows at most ${maxTopicNameLength}`;
  }
  if (!internalAllowed && name.startsWith(internalTopicPrefix)) {
    return `"${name}" begins with "${internalTopicPrefix}", which Kafka keeps for its internal topics (__consumer_offsets, __transaction_state)`;
  }
  if (!legalTopicNameCharacters.test(name)) {
    return `"${name}" is not a valid topic name; use only letters, digits, ".", "_" and "-"`;
  }
  return undefined;
}
