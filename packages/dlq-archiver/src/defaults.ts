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

/**
 * Whose headers a dead letter's fields are read from: Ricochet's, Spring Kafka's, Kafka
 * Connect's, or, with `auto`, whichever system's the record carries (see archive-input.ts).
 */
export const deadLetterFormats = ['ricochet', 'spring', 'connect', 'auto'] as const;
export type DeadLetterFormat = (typeof deadLetterFormats)[number];

/**
 * Every dead letter Ricochet writes carries `dead-letter-reason`, which `auto` looks for first,
 * so `auto` reads Ricochet's own dead letters exactly as `ricochet` does, and a dead-letter
 * topic that also takes Spring's or Connect's is archived whole without a setting.
 */
export const defaultDeadLetterFormat: DeadLetterFormat = 'auto';
