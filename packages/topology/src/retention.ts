import type { Tier } from '@ricochet/core';

const day = 86_400_000;

/** A floor of a week, so an outage over a weekend does not delete records still waiting. */
export const minimumDefaultTierRetentionMilliseconds = 7 * day;

/**
 * A tier's records must outlive their delay by a wide margin: a delay consumer that is down or
 * lagging still finds them. Ten delays covers long tiers (a 1d tier keeps 10d).
 */
export const tierRetentionDelayMultiple = 10;

/** The dead-letter topic keeps records longer than any tier: people read it, on their own time. */
export const defaultDeadLetterRetentionMilliseconds = 14 * day;

/** The retention a tier gets when none is asked for: max(7d, 10 x its delay). */
export function defaultTierRetentionMilliseconds(tier: Tier): number {
  return Math.max(
    minimumDefaultTierRetentionMilliseconds,
    tierRetentionDelayMultiple * tier.delayMilliseconds,
  );
}
