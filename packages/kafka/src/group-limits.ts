/**
 * A broker refuses a group member whose session timeout lies outside its
 * group.min.session.timeout.ms and group.max.session.timeout.ms; these are Kafka's defaults for
 * them. Checked at start-up so that a bad value is a usage error naming the setting, not a
 * failure to join reported once the service is running.
 */
export const sessionTimeoutBounds = { minimum: 6_000, maximum: 1_800_000 } as const;

/**
 * The most partitions one consumer hands to its handler at once. Each is a handler call in
 * flight; more than this is more partitions than one consumer is ever assigned in practice, and
 * a value such as 100000000 is a typo, not a plan.
 */
export const maxPartitionsConsumedConcurrently = 1_000;

/** How long a member that stopped heartbeating keeps its partitions, unless a service says. */
export const defaultSessionTimeoutMilliseconds = 30_000;

/**
 * How long the broker holds a main consumer's or an archiver's fetch open while there is nothing
 * to read, unless the service says (the Kafka client's own default). A stop waits for the fetch
 * in flight, so a shorter wait stops an idle service sooner, at the cost of more fetch requests
 * while it is idle.
 */
export const defaultConsumerMaxWaitMilliseconds = 5_000;
