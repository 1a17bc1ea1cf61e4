/**
 * Every Ricochet metric, as docs/operations-contract.md lists them (a test holds the two equal).
 * Dashboards and alerts are written against these names and labels: renaming one is a breaking
 * change of the contract, not a refactoring.
 */
export const metricCatalog = {
  recordsConsumed: {
    name: 'ricochet_records_consumed_total',
    type: 'counter',
    labels: ['role', 'topic'],
    help: 'Records handed on (handled, redelivered, archived or skipped) and so committable',
  },
  recordsSucceeded: {
    name: 'ricochet_records_succeeded_total',
    type: 'counter',
    labels: ['topic'],
    help: 'Records whose handler returned',
  },
  recordsFailed: {
    name: 'ricochet_records_failed_total',
    type: 'counter',
    labels: ['topic', 'error_class'],
    help: 'Handler calls that threw, by the class of the error',
  },
  recordsSentToTier: {
    name: 'ricochet_records_sent_to_tier_total',
    type: 'counter',
    labels: ['tier'],
    help: 'Failed records acknowledged on a retry tier topic',
  },
  recordsDeadLettered: {
    name: 'ricochet_records_dead_lettered_total',
    type: 'counter',
    labels: ['role', 'reason'],
    help: 'Records acknowledged on the dead-letter topic, by dead-letter-reason',
  },
  recordsRedelivered: {
    name: 'ricochet_records_redelivered_total',
    type: 'counter',
    labels: ['tier', 'topic'],
    help: 'Tier records acknowledged back on their original topic',
  },
  recordsArchived: {
    name: 'ricochet_records_archived_total',
    type: 'counter',
    labels: ['store'],
    help: 'Dead letters newly stored in the archive (duplicates read again are not counted)',
  },
  recordsHeld: {
    name: 'ricochet_records_held',
    type: 'gauge',
    labels: ['tier'],
    help: 'Tier partitions currently held (paused until their next record is due)',
  },
  redeliveryLateness: {
    name: 'ricochet_redelivery_lateness_seconds',
    type: 'histogram',
    labels: ['tier'],
    help: 'Time from due-at to the acknowledged redelivery',
  },
  handlerDuration: {
    name: 'ricochet_handler_duration_seconds',
    type: 'histogram',
    labels: ['topic'],
    help: 'Duration of one handler call',
  },
  commitFailures: {
    name: 'ricochet_commit_failures_total',
    type: 'counter',
    labels: ['role'],
    help: 'Offset commits the broker refused (the service restarts from the last commit)',
  },
  publishFailures: {
    name: 'ricochet_publish_failures_total',
    type: 'counter',
    labels: ['role'],
    help: 'Hand-off publishes that failed after the client retries; each retires the producer for a new one',
  },
  rebalances: {
    name: 'ricochet_rebalances_total',
    type: 'counter',
    labels: ['role', 'group'],
    help: 'Consumer group joins, the first one included',
  },
  consumerLag: {
    name: 'ricochet_consumer_lag',
    type: 'gauge',
    labels: ['role', 'topic', 'partition'],
    help: 'Records between the next one to hand on and the high watermark, as of the last batch',
  },
  secondsWithoutProgress: {
    name: 'ricochet_seconds_without_progress',
    type: 'gauge',
    labels: ['role'],
    help: 'How long records have waited in hand with none finishing (0 while none waits); past the stall timeout the service is not ready',
  },
  mainInFlight: {
    name: 'ricochet_main_in_flight',
    type: 'gauge',
    labels: [],
    help: 'Records in hand now (handler running or hand-off pending), across all partitions; at most max-in-flight',
  },
  mainPartitionGap: {
    name: 'ricochet_main_partition_gap',
    type: 'gauge',
    labels: ['topic', 'partition'],
    help: 'Records done beyond the committed offset, waiting for an earlier record of the partition (carried in the commit metadata)',
  },
  mainInFlightBlocked: {
    name: 'ricochet_main_in_flight_blocked_seconds_total',
    type: 'counter',
    labels: [],
    help: 'Time records waited for a free slot under max-in-flight (fetching paused meanwhile)',
  },
  mainBlockedKeys: {
    name: 'ricochet_main_blocked_keys',
    type: 'gauge',
    labels: [],
    help: 'Ordering key-strict: keys of the owned partitions holding records back (blocker in a tier, or followers draining)',
  },
  mainWaitingRecords: {
    name: 'ricochet_main_waiting_records',
    type: 'gauge',
    labels: [],
    help: 'Ordering key-strict: records of the owned partitions waiting on the waiting topic behind their key',
  },
  mainOldestBlockedKeyAge: {
    name: 'ricochet_main_oldest_blocked_key_age_seconds',
    type: 'gauge',
    labels: [],
    help: 'Ordering key-strict: how long the longest-held key of the owned partitions has held records back (0 when none)',
  },
  mainDeadLetterGuardTripped: {
    name: 'ricochet_main_dead_letter_guard_tripped',
    type: 'gauge',
    labels: [],
    help: '1 while the dead-letter guard has paused consumption (the service is then not ready), else 0',
  },
  mainDeadLetterGuardRatio: {
    name: 'ricochet_main_dead_letter_guard_ratio',
    type: 'gauge',
    labels: [],
    help: "Share of the records counted in the dead-letter guard's window that were dead-lettered (or failed, with count=failed); 0 without a guard",
  },
  mainDeadLetterGuardTrips: {
    name: 'ricochet_main_dead_letter_guard_trips_total',
    type: 'counter',
    labels: [],
    help: 'Times the dead-letter guard tripped and paused consumption',
  },
} as const;

export type MetricDefinition = (typeof metricCatalog)[keyof typeof metricCatalog];

/**
 * Lateness is normally tens of milliseconds (bounded by the delay consumer's fetch wait); the
 * tail comes from rebalances and restarts, which last up to a session timeout (30 s by default).
 */
export const latenessBucketsSeconds = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/**
 * From an in-memory lookup (1 ms) to a slow remote call; 30 s is the default session timeout,
 * past which a handler that still runs costs the group a rebalance.
 */
export const handlerDurationBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;
