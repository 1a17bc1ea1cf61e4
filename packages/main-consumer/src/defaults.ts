/**
 * The main consumer's defaults. `ricochet run main` and its help take them from here, so a
 * default is changed in one place. This module loads nothing else.
 */

/** Whether a group with no committed offset reads its topics from the beginning. */
export const defaultFromBeginning = false;

export const defaultHandlerTimeoutMilliseconds = 30_000;
export const defaultStallTimeoutMilliseconds = 60_000;
export const defaultMaxHandlerCrashes = 3;
/**
 * A batch in hand commits what is done at least this often (and always at its end). A process
 * killed meanwhile leaves the records done since the last commit to be handled again: with
 * records of one partition running at once, a second of work is far more records than it was, and
 * the chaos study of issue 13 found every duplicate call there. One commit a second per partition
 * in hand costs nothing next to the records handled meanwhile.
 */
export const defaultCommitIntervalMilliseconds = 1_000;

/**
 * What order records of a partition are handled in: `key`, records of one key one at a time in
 * offset order, different keys at once (all null-key records of a partition form one lane of
 * their own); `key-strict`, as `key`, and while a record of a key is in the retry tiers the later
 * records of that key wait behind it (on the group's waiting topic), other keys going on;
 * `partition`, one record of a partition at a time; `unordered`, any order.
 */
export const orderings = ['key', 'key-strict', 'partition', 'unordered'] as const;
export type Ordering = (typeof orderings)[number];
export const defaultOrdering: Ordering = 'key';

/**
 * Records handled at once across all of an instance's partitions. With an I/O-bound handler the
 * rate is about `maxInFlight / latency` until the CPU is the limit.
 */
export const defaultMaxInFlight = 64;

/**
 * The most a fetch returns per partition: the Kafka clients' own default (kafkajs's
 * `maxBytesPerPartition`, librdkafka's `max.partition.fetch.bytes`). Smaller source fetches
 * leave the cores to retries sooner in a burst, at the cost of more fetch round trips (see
 * docs/benchmarks.md, "Redelivery targets under a burst").
 */
export const defaultMaxBytesPerPartition = 1_048_576;

/**
 * Partitions handled at once (fetched batches in hand at once). As many as records may be in
 * flight: a partition's batch ends only when its slowest lane does, so with fewer batches in hand
 * the slots idle behind those tails (with 1, the io-bound benchmark reached 0.80 of the ideal
 * rate; with every partition in hand, 0.94). The records in hand stay bounded by maxInFlight.
 */
export const defaultConcurrency = defaultMaxInFlight;

/**
 * How long running handlers get to finish once their partition is revoked (or the service
 * stops) before the batch is abandoned, uncommitted past them. Keep it below the group's
 * rebalance timeout (60 s): the group waits for it.
 */
export const defaultRevokeGraceMilliseconds = 10_000;

/**
 * `key-strict`: what becomes of the records waiting behind a record that is dead-lettered:
 * `release`, they are handled (in offset order), as after a success; `dead-letter`, they follow it
 * to the dead-letter topic with reason `predecessor-dead-lettered`.
 */
export const onDeadLetterChoices = ['release', 'dead-letter'] as const;
export type OnDeadLetter = (typeof onDeadLetterChoices)[number];
export const defaultOnDeadLetter: OnDeadLetter = 'release';

/**
 * `key-strict`: records that may wait behind one blocked key. Past it a record is dead-lettered
 * (`waiting-cap-exceeded`) rather than held: a key failing for long holds its followers that long,
 * and the waiting topic must stay bounded.
 */
export const defaultMaxWaitingPerKey = 1_000;

/**
 * `key-strict`: how often a partition's owner reads its blocked-keys partitions for commands
 * (`ricochet order release`); a release takes effect within about this long.
 */
export const defaultKeyStrictPollMilliseconds = 1_000;

/**
 * Where the delay service sends a group's due retries: `source`, back to the original topic (in
 * line behind its backlog, and past every other group reading it, which skips them); `group`, to
 * the group's own redelivery topic (`ricochet.<group>.redelivery`), which the main consumer reads
 * through a consumer of its own, ahead of the source topics.
 */
export const redeliveryChoices = ['source', 'group'] as const;
export type Redelivery = (typeof redeliveryChoices)[number];
export const defaultRedelivery: Redelivery = 'source';

/**
 * `redelivery: 'group'`: records of the redelivery topic take at most this many freed handler
 * slots in a row while source records wait for one, so that a flood of retries leaves the source
 * at least one slot in every `redeliverySlotsInARow + 1` freed (a quarter of them).
 */
export const redeliverySlotsInARow = 3;
