import { formatDuration, isDurationText, maxTimerMilliseconds, parseDuration } from './duration.js';
import { ConfigError } from './errors.js';

/** One retry tier: a delay topic whose records are redelivered `delayMilliseconds` after failing. */
export interface Tier {
  /** Position in the ladder, 0 for the first tier. */
  readonly index: number;
  readonly delayMilliseconds: number;
  /** The tier topic, `retry-<delay>` (e.g. `retry-5s`). */
  readonly topic: string;
}

/** The ordered tiers a failing record climbs before it is dead-lettered. */
export type TierLadder = readonly Tier[];

export const defaultLadderText = '5s,1m,10m';

/** Every tier topic is named `retry-<delay>`. */
const tierTopicPrefix = 'retry-';

export function tierTopicName(delayMilliseconds: number): string {
  return `${tierTopicPrefix}${formatDuration(delayMilliseconds)}`;
}

/**
 * Whether `topic` is named as a tier topic of some ladder (`retry-5s`, and also a non-canonical
 * `retry-60s`): a name Ricochet keeps for its tiers, whichever ladder a service was given.
 */
export function isTierTopicName(topic: string): boolean {
  return topic.startsWith(tierTopicPrefix) && isDurationText(topic.slice(tierTopicPrefix.length));
}

/**
 * A tier's delay. A delay consumer holds a partition with one timer until its first record is
 * due, and a timer longer than 2^31 - 1 ms fires at once: the partition would be resumed and
 * paused again many times a second. So a tier waits at most that long (24d is the longest whole
 * number of days).
 */
function parseTierDelay(text: string, field: string): number {
  const delayMilliseconds = parseDuration(text, field);
  if (delayMilliseconds > maxTimerMilliseconds) {
    throw new ConfigError(
      field,
      `"${text}" is longer than a tier can wait: at most ${maxTimerMilliseconds} ms (about 24.8 days; 24d is the longest whole number of days)`,
    );
  }
  return delayMilliseconds;
}

/**
 * Parses a ladder such as `5s,1m,10m`. Delays must be strictly increasing: a ladder that waits
 * less on a later try is almost always a typo, and equal delays would share one topic name.
 */
export function parseTierLadder(text: string, field = 'tiers'): TierLadder {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.every((part) => part === '')) {
    throw new ConfigError(field, 'the ladder is empty; give at least one delay, e.g. 5s,1m,10m');
  }
  const ladder: Tier[] = [];
  for (const [index, part] of parts.entries()) {
    if (part === '') {
      throw new ConfigError(field, `"${text}" has an empty entry at position ${index + 1}`);
    }
    const delayMilliseconds = parseTierDelay(part, `${field}[${index}]`);
    const previous = ladder[index - 1];
    if (previous !== undefined && delayMilliseconds <= previous.delayMilliseconds) {
      throw new ConfigError(
        field,
        `"${text}" is not strictly increasing: ${part} does not come after ${formatDuration(previous.delayMilliseconds)}`,
      );
    }
    ladder.push({ index, delayMilliseconds, topic: tierTopicName(delayMilliseconds) });
  }
  return ladder;
}

/** The ladder written back in its canonical form, e.g. `5s,1m,10m`. */
export function formatTierLadder(ladder: TierLadder): string {
  return ladder.map((tier) => formatDuration(tier.delayMilliseconds)).join(',');
}

export function findTierByTopic(ladder: TierLadder, topic: string): Tier | undefined {
  return ladder.find((tier) => tier.topic === topic);
}

/**
 * One tier named by topic (`retry-5s`) or by delay (`5s`). A topic name must be the canonical one
 * the ladder derives (`retry-60s` is refused in favour of `retry-1m`): services of one tier must
 * agree on its topic.
 */
export function parseTierReference(
  text: string,
  field = 'tier',
): Pick<Tier, 'topic' | 'delayMilliseconds'> {
  const delayText = text.startsWith(tierTopicPrefix) ? text.slice(tierTopicPrefix.length) : text;
  const delayMilliseconds = parseTierDelay(delayText, field);
  const topic = tierTopicName(delayMilliseconds);
  if (text.startsWith(tierTopicPrefix) && text !== topic) {
    throw new ConfigError(
      field,
      `"${text}" is not a tier topic name; the tier for that delay is ${topic}`,
    );
  }
  return { topic, delayMilliseconds };
}
