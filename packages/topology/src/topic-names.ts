import { ConfigError } from '@ricochet/core';

/** The characters Kafka accepts in a topic name; anything else is refused by the broker. */
const legalTopicName = /^[a-zA-Z0-9._-]+$/;

/** Kafka's limit: longer names overflow the partition directory names on the brokers. */
export const maxTopicNameLength = 249;

/** Kafka's own topics (__consumer_offsets, __transaction_state) begin with this. */
export const internalTopicPrefix = '__';

/** Returns `name` when Kafka would accept it as a topic name, or throws naming `field`. */
export function checkTopicName(name: string, field: string): string {
  if (name === '') {
    throw new ConfigError(field, 'a topic name cannot be empty');
  }
  if (name === '.' || name === '..') {
    throw new ConfigError(field, `"${name}" is not allowed as a topic name`);
  }
  if (name.length > maxTopicNameLength) {
    throw new ConfigError(
      field,
      `"${name.slice(0, 40)}..." is ${name.length} characters; Kafka allows at most ${maxTopicNameLength}`,
    );
  }
  if (name.startsWith(internalTopicPrefix)) {
    throw new ConfigError(
      field,
      `"${name}" begins with "${internalTopicPrefix}", which Kafka keeps for its internal topics (__consumer_offsets, __transaction_state)`,
    );
  }
  if (!legalTopicName.test(name)) {
    throw new ConfigError(
      field,
      `"${name}" is not a valid topic name; use only letters, digits, ".", "_" and "-"`,
    );
  }
  return name;
}
