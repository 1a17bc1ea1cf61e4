/**
 * The archiver's defaults and names. `ricochet run dlq` and its help take them from here, so a
 * default is changed in one place. This module loads nothing else.
 */

/** The archivers' consumer group, and their Kafka client id. */
export const defaultArchiverGroupId = 'ricochet-dlq-archiver';

/** First wait after a store failure; it doubles up to the maximum. */
export const defaultInitialStoreBackoffMilliseconds = 500;
export const defaultMaxStoreBackoffMilliseconds = 30_000;

/** An insert unfinished after this long makes the archiver not ready. */
export const defaultStoreStallMilliseconds = 2_000;
