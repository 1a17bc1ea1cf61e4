import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

/**
 * How long a topic creation that waits for leaders waits, when its caller sets no timeout: a
 * loaded KRaft broker can take seconds to publish a topic its controller has already created.
 */
export const defaultLeaderWaitMilliseconds = 30_000;

const pollMilliseconds = 100;

/**
 * What metadata answers while a new topic is still being published to the broker's metadata
 * cache (KRaft updates the cache after the controller commits), rather than a real refusal.
 */
const notYetPublished = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** The topics were created but not every partition had a leader in time. */
export class LeaderWaitTimeoutError extends Error {
  /** The topics exist: a caller that tries again later finds them led. */
  readonly retriable = true;

  constructor(topics: readonly string[], waitedMilliseconds: number, cause: unknown) {
    super(`${topics.join(', ')}: not every partition had a leader after ${waitedMilliseconds} ms`, {
      cause,
    });
    this.name = 'LeaderWaitTimeoutError';
  }
}

/**
 * Resolves once every partition of `topics` has a leader in the metadata `fetchMetadata` reads.
 * kafkajs's own wait retries only LEADER_NOT_AVAILABLE and fails at once on
 * UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a topic it has just created.
 */
export async function waitForLeaders(
  topics: readonly string[],
  fetchMetadata: () => Promise<kafkajs.ITopicMetadata[]>,
  timeoutMilliseconds: number,
): Promise<void> {
  const began = Date.now();
  let lastReason: unknown;
  while (Date.now() - began < timeoutMilliseconds) {
    try {
      const metadata = await fetchMetadata();
      const led = metadata.every(({ partitions }) => partitions.every(({ leader }) => leader >= 0));
      if (led && metadata.length === topics.length) {
        return;
      }
      lastReason = undefined;
    } catch (error) {
      if (!(error instanceof kafkajs.KafkaJSProtocolError) || !notYetPublished.has(error.type)) {
        throw error;
      }
      lastReason = error;
    }
    await sleep(pollMilliseconds);
  }
  throw new LeaderWaitTimeoutError(topics, Date.now() - began, lastReason);
}
