import { RicochetError } from '@ricochet/core';
import {
  AdminOperationError,
  createAdmin,
  type KafkaAdmin,
  type KafkaClient,
  type PartitionControls,
} from '@ricochet/kafka';

/** `redelivery: 'group'` and the group's redelivery topic is missing. */
export class RedeliveryTopicMissingError extends RicochetError {
  static readonly code = 'REDELIVERY_TOPIC_MISSING';

  constructor(groupId: string, topic: string, cause?: unknown) {
    super(
      `redelivery 'group' needs topic ${topic}; create it with ricochet topology create --group ${groupId}`,
      { code: RedeliveryTopicMissingError.code, retriable: false, cause },
    );
  }
}

/**
 * `redelivery: 'group'`: checks, when connected (before either of the main consumer's consumers
 * joins its group), that the group's redelivery topic exists, and fails with
 * RedeliveryTopicMissingError naming the command that creates it when it does not.
 */
export class RedeliveryTopicCheck {
  readonly #groupId: string;
  readonly #topic: string;
  readonly #admin: KafkaAdmin;

  constructor(kafka: KafkaClient, target: { readonly groupId: string; readonly topic: string }) {
    this.#groupId = target.groupId;
    this.#topic = target.topic;
    this.#admin = createAdmin(kafka);
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
    const descriptions = await this.#admin.describeTopics([this.#topic]).catch((error: unknown) => {
      if (error instanceof AdminOperationError && error.reason === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw new RedeliveryTopicMissingError(this.#groupId, this.#topic, error);
      }
      throw error;
    });
    const partitions = descriptions.find((description) => description.name === this.#topic)
      ?.partitions.length;
    if (partitions === undefined || partitions === 0) {
      throw new RedeliveryTopicMissingError(this.#groupId, this.#topic);
    }
  }

  async disconnect(): Promise<void> {
    await this.#admin.disconnect();
  }
}

/**
 * One set of partition controls over the main consumer's two consumers: the redelivery topic's
 * partitions are its reader's, every other topic's the source consumer's.
 */
export function routedControls(
  source: PartitionControls,
  redelivery: { readonly topic: string; readonly controls: PartitionControls },
): PartitionControls {
  const controlsOf = (topic: string): PartitionControls =>
    topic === redelivery.topic ? redelivery.controls : source;
  return {
    pause: (topic, partition) => controlsOf(topic).pause(topic, partition),
    resume: (topic, partition) => controlsOf(topic).resume(topic, partition),
    seek: (topic, partition, offset) => controlsOf(topic).seek(topic, partition, offset),
    pausedPartitions: (topic) => controlsOf(topic).pausedPartitions(topic),
  };
}
