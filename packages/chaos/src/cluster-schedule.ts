import type { ClusterFaultCounts } from './profiles.js';
import type { Random } from './random.js';

/** Where a leader kill strikes: a partition of the source topic, of a tier, or of the DLQ. */
export type LeaderKillTarget = 'source' | 'tier' | 'dlq';

export const leaderKillTargets: readonly LeaderKillTarget[] = ['source', 'tier', 'dlq'];

/**
 * One broker fault, `at` milliseconds after the traffic starts. `pick` (in [0, 1)) chooses the
 * victim among what is there when the fault strikes: the broker, or the tier and partition whose
 * leader dies.
 */
export type ClusterFault =
  | {
      readonly at: number;
      readonly kind: 'leader-kill';
      readonly target: LeaderKillTarget;
      readonly pick: number;
      readonly downForMilliseconds: number;
    }
  | {
      readonly at: number;
      readonly kind: 'broker-outage';
      readonly pick: number;
      readonly downForMilliseconds: number;
    }
  | { readonly at: number; readonly kind: 'controlled-restart'; readonly pick: number }
  | {
      readonly at: number;
      readonly kind: 'below-min-isr';
      readonly pick: number;
      /** How long the in-sync replicas stay below min.insync.replicas. */
      readonly belowForMilliseconds: number;
    };

export interface ClusterScheduleInput {
  /** The first and last moment a fault may strike, ms after the traffic starts. */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly counts: ClusterFaultCounts;
  /** Longer than a producer retries a publish before it gives up: the long faults last this and a bit. */
  readonly beyondProducerRetriesMilliseconds: number;
  readonly random: Random;
}

const minLeaderDownMilliseconds = 2_000;
const maxLeaderDownMilliseconds = 6_000;

/**
 * The broker faults in a seeded random order, each at a random moment in its own slice of the
 * window, so that they come one after another: the driver also waits for each to end (the
 * broker back, every partition in sync again) before the next, since two brokers down of three
 * would take the KRaft quorum with them. The long outage and the window below min.insync.replicas
 * each outlast the producers' retry budget, so that publishes give up for real.
 */
export function scheduleClusterFaults(input: ClusterScheduleInput): ClusterFault[] {
  const { counts, random } = input;
  const beyondRetries = input.beyondProducerRetriesMilliseconds;
  const makers: Array<(at: number) => ClusterFault> = [];
  for (let round = 0; round < counts.leaderKills; round += 1) {
    for (const target of leaderKillTargets) {
      makers.push((at) => ({
        at,
        kind: 'leader-kill',
        target,
        pick: random.next(),
        downForMilliseconds: Math.round(
          random.between(minLeaderDownMilliseconds, maxLeaderDownMilliseconds),
        ),
      }));
    }
  }
  for (let outage = 0; outage < counts.brokerOutages; outage += 1) {
    makers.push((at) => ({
      at,
      kind: 'broker-outage',
      pick: random.next(),
      downForMilliseconds: Math.round(beyondRetries * random.between(1, 1.25)),
    }));
  }
  for (let restart = 0; restart < counts.controlledRestarts; restart += 1) {
    makers.push((at) => ({ at, kind: 'controlled-restart', pick: random.next() }));
  }
  for (let window = 0; window < counts.belowMinIsr; window += 1) {
    makers.push((at) => ({
      at,
      kind: 'below-min-isr',
      pick: random.next(),
      belowForMilliseconds: Math.round(beyondRetries * random.between(1, 1.25)),
    }));
  }
  const span = input.windowEnd - input.windowStart;
  const slice = span / Math.max(1, makers.length);
  return random
    .shuffled(makers)
    .map((make, index) =>
      make(Math.round(input.windowStart + slice * (index + random.between(0, 0.25)))),
    );
}
