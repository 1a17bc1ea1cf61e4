import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import type { TopicDescription } from './admin.js';
import { LibrdkafkaError } from './librdkafka-errors.js';

/**
 * How long a topic creation that waits for leaders waits, when its caller sets no timeout: a
 * loaded KRaft broker can take seconds to publish a topic its controller has already created.
 */
export const defaultLeaderWaitMilliseconds = 30_000;

/** How soon metadata or offsets a broker has not published yet are asked for again. */
export const metadataPollMilliseconds = 100;

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
 * What a partition's leader answers for a moment after metadata already names it (the broker has
 * not taken up the leadership yet): listing its offsets then fails with either driver.
 */
const leadershipNotTakenUp = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Whether either driver's failure is a broker refusal of one of `types`. */
function isRefusal(error: unknown, types: ReadonlySet<string>): boolean {
  return (
    (error instanceof kafkajs.KafkaJSProtocolError || error instanceof LibrdkafkaError) &&
    types.has(error.type)
  );
}

/**
 * Runs `request`, and again while a partition's leader has not taken up its leadership yet, for
 * up to `timeoutMilliseconds`: the offsets of a topic just created are read at once.
 */
export async function whenLeadersAnswer<T>(
  request: () => Promise<T>,
  timeoutMilliseconds = defaultLeaderWaitMilliseconds,
): Promise<T> {
  const began = Date.now();
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!isRefusal(error, leadershipNotTakenUp) || Date.now() - began >= timeoutMilliseconds) {
        throw error;
      }
    }
    await sleep(metadataPollMilliseconds);
  }
}

/**
 * Resolves once every partition of `topics` has a leader in what `describe` reads. kafkajs's own
 * wait retries only LEADER_NOT_AVAILABLE and fails at once on UNKNOWN_TOPIC_OR_PARTITION, which a
 * KRaft broker answers for a topic it has just created; librdkafka has no wait at all.
 */
export async function waitForLeaders(
  topics: readonly string[],
  describe: () => Promise<readonly TopicDescription[]>,
  timeoutMilliseconds: number,
): Promise<void> {
  const began = Date.now();
  let lastReason: unknown;
  while (Date.now() - began < timeoutMilliseconds) {
    try {
      const descriptions = await describe();
      const led = descriptions.every(({ partitions }) =>
        partitions.every(({ leader }) => leader !== undefined),
      );
      if (led && descriptions.length === topics.length) {
        return;
      }
      lastReason = undefined;
    } catch (error) {
      if (!isRefusal(error, notYetPublished)) {
        throw error;
      }
      lastReason = error;
    }
    await sleep(metadataPollMilliseconds);
  }
  throw new LeaderWaitTimeoutError(topics, Date.now() - began, lastReason);
}
