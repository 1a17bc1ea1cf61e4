import { resolve } from 'node:path';
import {
  choiceOption,
  ConfigError,
  parseDuration,
  parseTierLadder,
  parseTierReference,
  type Tier,
  type TierLadder,
} from '@ricochet/core';
import { defaultKafkaDriver, kafkaDrivers, type KafkaDriver } from '@ricochet/kafka';
import {
  orderings,
  redeliveryChoices,
  type Ordering,
  type Redelivery,
} from '@ricochet/main-consumer/defaults';
import {
  profileNames,
  profiles,
  type ClusterFaultCounts,
  type ProfileName,
  type ProfileValues,
} from './profiles.js';
import type { RecordShares } from './record-plan.js';

/** The flags as given: text, or undefined when absent (then the profile or default applies). */
export interface ChaosFlags {
  readonly profile?: string | undefined;
  readonly records?: string | undefined;
  readonly keys?: string | undefined;
  readonly rate?: string | undefined;
  readonly killsPerRole?: string | undefined;
  readonly brokerRestarts?: string | undefined;
  readonly brokerRestart?: string | undefined;
  readonly lostAcks?: string | undefined;
  readonly tiers?: string | undefined;
  readonly partitions?: string | undefined;
  readonly concurrency?: string | undefined;
  readonly maxInFlight?: string | undefined;
  readonly ordering?: string | undefined;
  readonly redelivery?: string | undefined;
  readonly driver?: string | undefined;
  readonly maxHandlerLatencyMs?: string | undefined;
  readonly sessionTimeoutMs?: string | undefined;
  readonly resolveTimeout?: string | undefined;
  readonly settle?: string | undefined;
  readonly startTimeout?: string | undefined;
  readonly seed?: string | undefined;
  readonly scaleTier?: string | undefined;
  readonly scaleTo?: string | undefined;
  readonly flakyPercent?: string | undefined;
  readonly poisonPercent?: string | undefined;
  readonly nonRetryablePercent?: string | undefined;
  readonly slowPercent?: string | undefined;
  readonly crashingPercent?: string | undefined;
  readonly stateDir?: string | undefined;
  readonly brokerPort?: string | undefined;
  readonly controllerPort?: string | undefined;
  readonly proxyPort?: string | undefined;
  readonly httpBasePort?: string | undefined;
  readonly leaderKills?: string | undefined;
  readonly brokerOutages?: string | undefined;
  readonly controlledRestarts?: string | undefined;
  readonly belowMinIsr?: string | undefined;
  readonly clusterPort?: string | undefined;
}

export type BrokerRestartMode = 'kill' | 'stop';

export interface ChaosOptions {
  readonly profile: ProfileName;
  readonly records: number;
  readonly keys: number;
  readonly rate: number;
  readonly killsPerRole: number;
  readonly brokerRestarts: number;
  readonly brokerRestartMode: BrokerRestartMode;
  readonly lostAcks: number;
  readonly ladder: TierLadder;
  readonly partitions: number;
  readonly concurrency: number;
  readonly maxInFlight: number;
  /**
   * Given to the main consumers only when set (by the flag or the profile): the run uses their
   * default (key) unless asked, e.g. `--ordering unordered` to see the key-order checks fail.
   */
  readonly ordering: Ordering | undefined;
  /**
   * Whether the key-strict order check is judged: with `--ordering key-strict`, or a key-strict
   * profile whatever the ordering (`--ordering key` shows the check failing). Always reported.
   */
  readonly judgeKeyStrictOrder: boolean;
  /** Where the delay services send due retries: the main consumers' `--redelivery`. */
  readonly redelivery: Redelivery;
  /** The Kafka driver of every service the run starts (`--driver`); the run's own clients use kafkajs. */
  readonly driver: KafkaDriver;
  readonly maxHandlerLatencyMs: number;
  readonly sessionTimeoutMs: number;
  readonly resolveTimeoutMs: number;
  readonly settleMs: number;
  readonly startTimeoutMs: number;
  readonly seed: number;
  /** The tier that starts with one instance and is scaled up to `scaleTo` and back mid-hold. */
  readonly scaleTier: Tier;
  readonly scaleTo: number;
  readonly shares: RecordShares;
  /** Absolute; the broker's data is under `<stateDir>/kafka`, each run in `<stateDir>/run-...`. */
  readonly stateDir: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /**
   * The fleet reaches the broker through a fault proxy on this port (the lost-acknowledgement
   * fault); the broker's listener behind it is on the next port.
   */
  readonly proxyPort: number;
  readonly httpBasePort: number;
  /** The broker faults of a run on the three-node cluster; undefined: the single broker. */
  readonly cluster: ClusterFaultCounts | undefined;
  /** The cluster's first port: node N's client port is this + N - 1, its controller's + N + 2. */
  readonly clusterPort: number;
}

/** The shared development broker: the chaos run resets and restarts its own, never this one. */
const sharedBrokerPorts: ReadonlySet<number> = new Set([29092, 29093]);

function wholeNumber(field: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new ConfigError(field, `must be a whole number, got "${text}"`);
  }
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be from ${min} to ${max}, got ${text}`);
  }
  return value;
}

function percent(field: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new ConfigError(field, `must be a percentage from 0 to 100, got "${text}"`);
  }
  return value;
}

function profileOf(text: string | undefined): ProfileName {
  const name = text ?? 'ci';
  if (!(profileNames as readonly string[]).includes(name)) {
    throw new ConfigError('--profile', `must be ${profileNames.join(', ')}, got "${name}"`);
  }
  return name as ProfileName;
}

/** The flag's text, or the profile's value written as text. */
function pick(flag: string | undefined, fallback: string | number): string {
  return flag ?? String(fallback);
}

/**
 * Profile values, overridden by flags, validated once; each error names the flag. `randomSeed`
 * is asked only when no --seed was given. `repositoryRoot` anchors the default state directory
 * and guards the shared broker's.
 */
export function compileChaosOptions(
  flags: ChaosFlags,
  repositoryRoot: string,
  randomSeed: () => number,
): ChaosOptions {
  const profile = profileOf(flags.profile);
  const values: ProfileValues = profiles[profile];
  const ladder = parseTierLadder(pick(flags.tiers, values.tiers), '--tiers');
  const partitions = wholeNumber('--partitions', pick(flags.partitions, values.partitions), 2, 64);
  const scaleTo = wholeNumber('--scale-to', pick(flags.scaleTo, 3), 2, partitions);
  const scaleTier =
    flags.scaleTier === undefined
      ? ladder.at(-1)
      : ladder.find(
          (tier) => tier.topic === parseTierReference(flags.scaleTier ?? '', '--scale-tier').topic,
        );
  if (scaleTier === undefined) {
    throw new ConfigError(
      '--scale-tier',
      `"${flags.scaleTier}" is not a tier of ${ladder.map((tier) => tier.topic).join(',')}`,
    );
  }
  const shares: RecordShares = {
    flakyPercent: percent('--flaky-percent', pick(flags.flakyPercent, 10)),
    poisonPercent: percent('--poison-percent', pick(flags.poisonPercent, 1)),
    nonRetryablePercent: percent('--non-retryable-percent', pick(flags.nonRetryablePercent, 1)),
    slowPercent: percent('--slow-percent', pick(flags.slowPercent, 0.5)),
    crashingPercent: percent('--crashing-percent', pick(flags.crashingPercent, 0.1)),
  };
  if (Object.values(shares).reduce((sum, share) => sum + share, 0) > 100) {
    throw new ConfigError(
      '--flaky-percent',
      'flaky, poison, non-retryable, slow and crashing add up to over 100',
    );
  }
  const brokerRestartMode = flags.brokerRestart ?? 'kill';
  if (brokerRestartMode !== 'kill' && brokerRestartMode !== 'stop') {
    throw new ConfigError('--broker-restart', `must be kill or stop, got "${brokerRestartMode}"`);
  }
  const stateDir = resolve(repositoryRoot, flags.stateDir ?? '.state/chaos');
  if (stateDir === resolve(repositoryRoot, '.state')) {
    throw new ConfigError(
      '--state-dir',
      'is the shared development broker’s; the chaos run resets its broker, so give it its own',
    );
  }
  const port = (field: string, text: string | undefined, fallback: number): number => {
    const value = wholeNumber(field, pick(text, fallback), 1024, 65535);
    if (sharedBrokerPorts.has(value)) {
      throw new ConfigError(field, `${value} belongs to the shared development broker`);
    }
    return value;
  };
  const brokerPort = port('--broker-port', flags.brokerPort, 29192);
  const controllerPort = port('--controller-port', flags.controllerPort, 29193);
  if (controllerPort === brokerPort) {
    throw new ConfigError('--controller-port', 'must differ from --broker-port');
  }
  const proxyPort = port('--proxy-port', flags.proxyPort, 29194);
  if (
    [brokerPort, controllerPort].some((taken) => taken === proxyPort || taken === proxyPort + 1)
  ) {
    throw new ConfigError(
      '--proxy-port',
      'it and the port after it must differ from --broker-port and --controller-port',
    );
  }
  const ordering = flags.ordering ?? values.ordering;
  if (ordering !== undefined && !(orderings as readonly string[]).includes(ordering)) {
    throw new ConfigError('--ordering', `must be ${orderings.join(', ')}, got "${ordering}"`);
  }
  // key-strict recognises a blocked key's returning record by its source partition: unless asked
  // otherwise, its runs take their retries back to the source.
  const redelivery = flags.redelivery ?? (ordering === 'key-strict' ? 'source' : values.redelivery);
  if (!(redeliveryChoices as readonly string[]).includes(redelivery)) {
    throw new ConfigError(
      '--redelivery',
      `must be ${redeliveryChoices.join(', ')}, got "${redelivery}"`,
    );
  }
  if (redelivery === 'group' && ordering === 'key-strict') {
    throw new ConfigError('--redelivery', 'group does not go with --ordering key-strict');
  }
  const records = wholeNumber('--records', pick(flags.records, values.records), 1, 10_000_000);
  const cluster = clusterFaults(flags, values.cluster);
  const clusterPort = port('--cluster-port', flags.clusterPort, 29392);
  return {
    profile,
    records,
    // A run of fewer records than the profile's keys gives each record a key of its own.
    keys: wholeNumber('--keys', pick(flags.keys, Math.min(values.keys, records)), 1, records),
    rate: wholeNumber('--rate', pick(flags.rate, values.rate), 1, 100_000),
    killsPerRole: wholeNumber(
      '--kills-per-role',
      pick(flags.killsPerRole, values.killsPerRole),
      0,
      1_000,
    ),
    brokerRestarts: wholeNumber(
      '--broker-restarts',
      pick(flags.brokerRestarts, values.brokerRestarts),
      0,
      100,
    ),
    brokerRestartMode,
    lostAcks: wholeNumber('--lost-acks', pick(flags.lostAcks, values.lostAcks), 0, 100),
    ladder,
    partitions,
    concurrency: wholeNumber('--concurrency', pick(flags.concurrency, values.concurrency), 1, 64),
    maxInFlight: wholeNumber(
      '--max-in-flight',
      pick(flags.maxInFlight, values.maxInFlight),
      1,
      10_000,
    ),
    ordering: ordering as Ordering | undefined,
    judgeKeyStrictOrder: ordering === 'key-strict' || values.ordering === 'key-strict',
    redelivery: redelivery as Redelivery,
    driver: choiceOption('--driver', flags.driver, kafkaDrivers, defaultKafkaDriver),
    maxHandlerLatencyMs: wholeNumber(
      '--max-handler-latency-ms',
      pick(flags.maxHandlerLatencyMs, values.maxHandlerLatencyMs),
      0,
      // Well under the fleet's handler timeout, so that latency alone never fails a call.
      500,
    ),
    sessionTimeoutMs: wholeNumber(
      '--session-timeout-ms',
      pick(flags.sessionTimeoutMs, values.sessionTimeoutMs),
      6_000,
      300_000,
    ),
    resolveTimeoutMs: parseDuration(
      pick(flags.resolveTimeout, values.resolveTimeout),
      '--resolve-timeout',
    ),
    settleMs: parseDuration(pick(flags.settle, values.settle), '--settle'),
    startTimeoutMs: parseDuration(flags.startTimeout ?? '90s', '--start-timeout'),
    seed:
      flags.seed === undefined ? randomSeed() : wholeNumber('--seed', flags.seed, 0, 4_294_967_295),
    scaleTier,
    scaleTo,
    shares,
    stateDir,
    brokerPort,
    controllerPort,
    proxyPort,
    httpBasePort: wholeNumber('--http-base-port', pick(flags.httpBasePort, 29200), 1024, 65000),
    cluster,
    clusterPort,
  };
}

/**
 * The cluster profiles' broker faults, each overridden by its flag. The single broker's faults
 * (its restart, the lost acknowledgement behind the fault proxy) have no place on the cluster,
 * and the cluster's none on the single broker: either given where it does not apply is an error.
 */
function clusterFaults(
  flags: ChaosFlags,
  counts: ClusterFaultCounts | undefined,
): ClusterFaultCounts | undefined {
  const clusterFlags: ReadonlyArray<[string, string | undefined]> = [
    ['--leader-kills', flags.leaderKills],
    ['--broker-outages', flags.brokerOutages],
    ['--controlled-restarts', flags.controlledRestarts],
    ['--below-min-isr', flags.belowMinIsr],
  ];
  if (counts === undefined) {
    const given = clusterFlags.find(([, value]) => value !== undefined);
    if (given !== undefined) {
      throw new ConfigError(given[0], 'applies to the cluster profiles (cluster-ci, cluster) only');
    }
    return undefined;
  }
  const singleBrokerFlags: ReadonlyArray<[string, string | undefined]> = [
    ['--broker-restarts', flags.brokerRestarts],
    ['--broker-restart', flags.brokerRestart],
    ['--lost-acks', flags.lostAcks],
    ['--broker-port', flags.brokerPort],
    ['--controller-port', flags.controllerPort],
    ['--proxy-port', flags.proxyPort],
  ];
  const given = singleBrokerFlags.find(([, value]) => value !== undefined);
  if (given !== undefined) {
    throw new ConfigError(given[0], 'applies to the single broker; a cluster profile runs three');
  }
  const count = (field: string, text: string | undefined, fallback: number): number =>
    wholeNumber(field, pick(text, fallback), 0, 100);
  return {
    leaderKills: count('--leader-kills', flags.leaderKills, counts.leaderKills),
    brokerOutages: count('--broker-outages', flags.brokerOutages, counts.brokerOutages),
    controlledRestarts: count(
      '--controlled-restarts',
      flags.controlledRestarts,
      counts.controlledRestarts,
    ),
    belowMinIsr: count('--below-min-isr', flags.belowMinIsr, counts.belowMinIsr),
  };
}
