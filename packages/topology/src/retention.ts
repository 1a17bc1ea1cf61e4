import type { Tier } from '@ricochet/core';

const day = 86_400_000;

/** A floor of a week, so an outage over a weekend does not delete records still waiting. */
export const minimumDefaultTierRetentionMilliseconds = 7 * day;

/**
 * A tier's records must outlive their delay by a wide margin: a delay consumer that is down or
 * lagging still finds them. Ten delays covers long tiers (a 1d tier keeps 10d).
 */
export const tierRetentionDelayMultiple = 10;

/**
 * A group's waiting topic (ordering `key-strict`) keeps its records this long: a record waits
 * there as long as the record before it of its key is in the tiers (its retries, up to the
 * longest tier's delay each) and then until a drain reaches it. A week covers the default ladder
 * many times over and an outage over a weekend; a longer ladder may need more (`waitingRetention`).
 */
export const defaultWaitingRetentionMilliseconds = 7 * day;

/** The dead-letter topic keeps records longer than any tier: people read it, on their own time. */
export const defaultDeadLetterRetentionMilliseconds = 14 * day;

/** The retention a tier gets when none is asked for: max(7d, 10 x its delay). */
export function defaultTierRetentionMilliseconds(tier: Tier): number {
  return Math.max(
    minimumDefaultTierRetentionMilliseconds,
    tierRetentionDelayMultiple * tier.delayMilliseconds,
  );
}
