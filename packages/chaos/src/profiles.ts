import type { Ordering, Redelivery } from '@ricochet/main-consumer/defaults';

/** The values a profile sets; every one can be overridden by the flag of the same name. */
export interface ProfileValues {
  /**
   * The main consumers' ordering; undefined leaves them their default (key). A `key-strict`
   * profile also judges the key-strict order check, whatever `--ordering` says, so that
   * `--ordering key` shows the check failing.
   */
  readonly ordering: Ordering | undefined;
  /**
   * Where due retries go back to. `ci` runs `group` (the main consumers read their group's
   * redelivery topic first); the others `source`, the original topic (`key-strict` needs it).
   */
  readonly redelivery: Redelivery;
  readonly records: number;
  /** Distinct keys the records share (several records per key, interleaved). */
  readonly keys: number;
  /** Records produced per second. */
  readonly rate: number;
  readonly killsPerRole: number;
  readonly brokerRestarts: number;
  /** Produce acknowledgements lost, each followed by the broker off the network for a while. */
  readonly lostAcks: number;
  readonly tiers: string;
  readonly partitions: number;
  /** Source partitions each main consumer handles at once. */
  readonly concurrency: number;
  /** Records each main consumer handles at once, across its partitions (`--max-in-flight`). */
  readonly maxInFlight: number;
  /** Each handler call waits 0 to this many ms (per record, from the seed): a slow dependency. */
  readonly maxHandlerLatencyMs: number;
  readonly sessionTimeoutMs: number;
  /** How long after the traffic and the chaos end every record may take to be resolved. */
  readonly resolveTimeout: string;
  /** How long to keep watching once every record is resolved: late duplicates show up here. */
  readonly settle: string;
  /**
   * Run on the three-node cluster (scripts/kafka-cluster) with these broker faults, instead of
   * the single broker (whose restart and lost acknowledgements then do not apply).
   */
  readonly cluster: ClusterFaultCounts | undefined;
}

/**
 * The broker faults of a cluster run, one after another (never two brokers down at once). Each
 * kill strikes the leader of a partition: of the source topic, a tier and the DLQ in turn, over
 * the leader kills, the outages and the windows below min.insync.replicas.
 */
export interface ClusterFaultCounts {
  /** `kill -9` of a partition's leader, started again a few seconds later. */
  readonly leaderKills: number;
  /** A partition's leader down (kill -9) for longer than the producers' retry budget. */
  readonly brokerOutages: number;
  /** A broker stopped with SIGTERM (controlled shutdown: it hands its leaderships over) and started. */
  readonly controlledRestarts: number;
  /** A partition's leader down, and the in-sync replicas then below min.insync.replicas. */
  readonly belowMinIsr: number;
}

export const profileNames = [
  'ci',
  'long',
  'key-strict-ci',
  'key-strict',
  'cluster-ci',
  'cluster',
] as const;
export type ProfileName = (typeof profileNames)[number];

/**
 * `ci`: a few thousand records and a few kills per role, a few minutes on a 2-core machine; 50
 * keys, so that a key has about 60 records and several of them wait together after an outage.
 * `long`: the issue's long run, by hand: 100,000 records, 20 kills per role.
 * `key-strict-ci`: `--ordering key-strict` in about 2.5 minutes for CI, after the `ci` run: 1,000
 * records over 50 keys (20 a key, so that records wait behind a blocked key all the time: about one
 * in ten blocks its key through the tiers), 2 kills per role. At 20 a second the traffic still
 * lasts the 50 s every outage, kill and scaling step needs to land while the fleet publishes (the
 * lost acknowledgement needs a publish to lose); what makes a run long is the drains after the
 * outages, which more records only lengthen. `key-strict`: the same, longer, by hand: 20,000
 * records over 400 keys, 10 kills per role.
 * `cluster-ci`: on three brokers, for CI: one of each broker fault while 2,000 records flow at 20
 * a second: the leader of a source partition killed, the leader of a tier partition down past the
 * producers' retries, a controlled restart, and the leader of a DLQ partition down with the rest
 * below min.insync.replicas; each broker restart takes most of a minute on a loaded 2-core
 * machine, so there are four, and one kill per role. `cluster`: the same, by hand: 12,000
 * records, 3 leader kills, 2 of each other broker fault, 5 kills per role.
 */
/** The ladder, the topics' shape and the fleet's settings: every profile runs them alike. */
const sameInEveryProfile = {
  tiers: '1s,3s,8s',
  partitions: 4,
  concurrency: 2,
  maxInFlight: 16,
  maxHandlerLatencyMs: 50,
  sessionTimeoutMs: 6_000,
} as const;

export const profiles: Readonly<Record<ProfileName, ProfileValues>> = {
  ci: {
    ordering: undefined,
    redelivery: 'group',
    records: 3_000,
    keys: 50,
    rate: 40,
    killsPerRole: 3,
    brokerRestarts: 1,
    lostAcks: 1,
    ...sameInEveryProfile,
    resolveTimeout: '3m',
    settle: '8s',
    cluster: undefined,
  },
  long: {
    ordering: undefined,
    redelivery: 'source',
    records: 100_000,
    keys: 1_000,
    rate: 250,
    killsPerRole: 20,
    brokerRestarts: 1,
    lostAcks: 2,
    ...sameInEveryProfile,
    resolveTimeout: '15m',
    settle: '10s',
    cluster: undefined,
  },
  'key-strict-ci': {
    ordering: 'key-strict',
    redelivery: 'source',
    records: 1_000,
    keys: 50,
    rate: 20,
    killsPerRole: 2,
    brokerRestarts: 1,
    lostAcks: 1,
    ...sameInEveryProfile,
    resolveTimeout: '3m',
    settle: '8s',
    cluster: undefined,
  },
  'key-strict': {
    ordering: 'key-strict',
    redelivery: 'source',
    records: 20_000,
    keys: 400,
    rate: 100,
    killsPerRole: 10,
    brokerRestarts: 1,
    lostAcks: 2,
    ...sameInEveryProfile,
    resolveTimeout: '10m',
    settle: '10s',
    cluster: undefined,
  },
  'cluster-ci': {
    ordering: undefined,
    redelivery: 'source',
    records: 2_000,
    keys: 50,
    rate: 20,
    killsPerRole: 1,
    brokerRestarts: 0,
    lostAcks: 0,
    ...sameInEveryProfile,
    resolveTimeout: '3m',
    settle: '8s',
    cluster: { leaderKills: 1, brokerOutages: 1, controlledRestarts: 1, belowMinIsr: 1 },
  },
  cluster: {
    ordering: undefined,
    redelivery: 'source',
    records: 12_000,
    keys: 400,
    rate: 30,
    killsPerRole: 5,
    brokerRestarts: 0,
    lostAcks: 0,
    ...sameInEveryProfile,
    resolveTimeout: '10m',
    settle: '10s',
    cluster: { leaderKills: 3, brokerOutages: 2, controlledRestarts: 2, belowMinIsr: 2 },
  },
};
