import type { Logger } from '@ricochet/core';
import { AdminOperationError, type KafkaAdmin } from './admin.js';

export type TopicLookup =
  { readonly exists: true; readonly partitions: number } | { readonly exists: false };

/** How long an answer about a topic is trusted; topics are created and deleted rarely. */
const defaultTimeToLiveMilliseconds = 30_000;

/**
 * Answers "does this topic exist, and with how many partitions?" from cluster metadata, cached
 * so that redelivering thousands of records to one topic costs one metadata request.
 */
export class TopicDirectory {
  readonly #admin: KafkaAdmin;
  readonly #logger: Logger;
  readonly #timeToLiveMilliseconds: number;
  readonly #cache = new Map<string, { lookup: TopicLookup; fetchedAt: number }>();

  constructor(
    admin: KafkaAdmin,
    logger: Logger,
    timeToLiveMilliseconds = defaultTimeToLiveMilliseconds,
  ) {
    this.#admin = admin;
    this.#logger = logger;
    this.#timeToLiveMilliseconds = timeToLiveMilliseconds;
  }

  /** Rejects only when the cluster cannot be asked; a missing topic is an answer, not an error. */
  async lookup(topic: string): Promise<TopicLookup> {
    const cached = this.#cache.get(topic);
    const now = Date.now();
    if (cached !== undefined && now - cached.fetchedAt < this.#timeToLiveMilliseconds) {
      return cached.lookup;
    }
    const lookup = await this.#fetch(topic);
    this.#cache.set(topic, { lookup, fetchedAt: now });
    return lookup;
  }

  async #fetch(topic: string): Promise<TopicLookup> {
    try {
      const [description] = await this.#admin.describeTopics([topic]);
      const partitions = description?.partitions.length ?? 0;
      return partitions > 0 ? { exists: true, partitions } : { exists: false };
    } catch (error) {
      if (error instanceof AdminOperationError && error.reason === 'UNKNOWN_TOPIC_OR_PARTITION') {
        this.#logger.debug('topic does not exist', { topic });
        return { exists: false };
      }
      throw error;
    }
  }
}
