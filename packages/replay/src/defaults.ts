/** The replay engine's defaults, in one place; the CLI and the console show and use these. */

/** The loop guard: a record already replayed this many times is refused unless forced. */
export const defaultMaxReplays = 3;

/** Records read from the archive per query: one indexed page of the ascending walk. */
export const defaultChunkSize = 500;

/**
 * The longest a run goes without saving its progress (and with it, renewing its hold on the
 * job): what a crash may make it send again, and how fresh a `running` job looks to others.
 */
export const progressIntervalMs = 1_000;

/**
 * A `running` job not updated for this long lost its process (a kill -9, a lost machine), and
 * another run may take it over. Far above progressIntervalMs, so a live run is never taken.
 */
export const abandonedAfterMs = 30_000;

/** How many records a dry run shows of those it would replay. */
export const defaultSampleSize = 10;
