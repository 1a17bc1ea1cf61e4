/**
 * The main consumer's defaults. `ricochet run main` and its help take them from here, so a
 * default is changed in one place. This module loads nothing else.
 */

/** Partitions handled at once. */
export const defaultConcurrency = 1;

/** Whether a group with no committed offset reads its topics from the beginning. */
export const defaultFromBeginning = false;

export const defaultHandlerTimeoutMilliseconds = 30_000;
export const defaultStallTimeoutMilliseconds = 60_000;
export const defaultMaxHandlerCrashes = 3;
export const defaultCommitIntervalMilliseconds = 5_000;

/** How records of one partition may run at once; see `ordering` in the main consumer's options. */
export const orderings = ['key', 'partition', 'unordered'] as const;
export type Ordering = (typeof orderings)[number];
export const defaultOrdering: Ordering = 'key';

/** Records handled at once across all of an instance's partitions. */
export const defaultMaxInFlight = 64;

/** How long running handlers get to finish once their partition is revoked or the service stops. */
export const defaultRevokeGraceMilliseconds = 10_000;
