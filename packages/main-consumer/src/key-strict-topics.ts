/** The `key-strict` group topics: the partition count of each, or the error that one is absent. */
import { blockedKeysTopic, RicochetError, waitingTopic } from '@ricochet/core';
import { AdminOperationError, type KafkaAdmin } from '@ricochet/kafka';

/** A group topic of `key-strict` is missing: `ricochet topology create --group` creates them. */
export class KeyStrictTopicMissingError extends RicochetError {
  static readonly code = 'KEY_STRICT_TOPIC_MISSING';

  constructor(groupId: string, cause?: unknown) {
    super(
      `ordering key-strict needs topics ${blockedKeysTopic(groupId)} and ${waitingTopic(groupId)}; create them with ricochet topology create --group ${groupId}`,
      { code: KeyStrictTopicMissingError.code, retriable: false, cause },
    );
  }
}

/**
 * Describes group `groupId`'s `key-strict` topics (`topics`): the partition count of each of them,
 * read by name; a KeyStrictTopicMissingError when one is missing.
 */
export async function describeKeyStrictTopics(
  admin: KafkaAdmin,
  groupId: string,
  topics: readonly string[],
): Promise<(topic: string) => number> {
  const descriptions = await admin.describeTopics(topics).catch((error: unknown) => {
    if (error instanceof AdminOperationError && error.reason === 'UNKNOWN_TOPIC_OR_PARTITION') {
      throw new KeyStrictTopicMissingError(groupId, error);
    }
    throw error;
  });
  return (topic: string): number => {
    const count = descriptions.find((description) => description.name === topic)?.partitions.length;
    if (count === undefined || count === 0) {
      throw new KeyStrictTopicMissingError(groupId);
    }
    return count;
  };
}
