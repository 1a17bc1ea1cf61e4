import type { ChaosWindow } from './chaos-schedule.js';
import type { ClusterFaultCounts } from './profiles.js';
import type { Random } from './random.js';

/** Where a leader kill strikes: a partition of the source topic, of a tier, or of the DLQ. */
export type LeaderKillTarget = 'source' | 'tier' | 'dlq';

export const leaderKillTargets: readonly LeaderKillTarget[] = ['source', 'tier', 'dlq'];

/**
 * A broker fault that kills: the broker that leads a partition of `target` when it strikes;
 * `pick` (in [0, 1)) chooses the partition (and the tier) among those with a leader.
 */
interface Kill {
  readonly at: number;
  readonly target: LeaderKillTarget;
  readonly pick: number;
}

/** One broker fault, `at` milliseconds after the traffic starts. */
export type ClusterFault =
  | (Kill & { readonly kind: 'leader-kill'; readonly downForMilliseconds: number })
  | (Kill & { readonly kind: 'broker-outage'; readonly downForMilliseconds: number })
  /** `pick` chooses the broker. */
  | { readonly at: number; readonly kind: 'controlled-restart'; readonly pick: number }
  | (Kill & {
      readonly kind: 'below-min-isr';
      /** How long the in-sync replicas stay below min.insync.replicas. */
      readonly belowForMilliseconds: number;
    });

export interface ClusterScheduleInput extends ChaosWindow {
  readonly counts: ClusterFaultCounts;
  /** Longer than a producer retries a publish before it gives up: the long faults last this and a bit. */
  readonly beyondProducerRetriesMilliseconds: number;
  readonly random: Random;
}

const minLeaderDownMilliseconds = 2_000;
const maxLeaderDownMilliseconds = 6_000;

/**
 * The broker faults, each at a random moment in its own slice of the window. Every fault that
 * kills a broker kills a leader: the targets go round the source topic, a tier and the DLQ over
 * the leader kills, then the outages, then the windows below min.insync.replicas, so that three
 * kills of any kind strike each once. The first window below min.insync.replicas and the first
 * leader kill come first, while the traffic surely flows (NOT_ENOUGH_REPLICAS needs publishes,
 * and a leader killed with sends in flight is kafkajs#1303's case); the rest in a seeded random
 * order. They come one after another: the driver also waits for each to end (the broker back,
 * every partition in sync again) before the next, since two brokers down of three would take
 * the KRaft quorum with them. The long outage and the window below min.insync.replicas each
 * outlast the producers' retries, so that publishes give up for real.
 */
export function scheduleClusterFaults(input: ClusterScheduleInput): ClusterFault[] {
  const { counts, random } = input;
  const beyondRetries = (): number =>
    Math.round(input.beyondProducerRetriesMilliseconds * random.between(1, 1.25));
  const faults: ClusterFault[] = [];
  let kills = 0;
  const kill = (): Kill => ({
    at: 0,
    target: leaderKillTargets[kills++ % leaderKillTargets.length] as LeaderKillTarget,
    pick: random.next(),
  });
  const times = (count: number, make: () => ClusterFault): void => {
    for (let index = 0; index < count; index += 1) {
      faults.push(make());
    }
  };
  times(counts.leaderKills, () => ({
    ...kill(),
    kind: 'leader-kill',
    downForMilliseconds: Math.round(
      random.between(minLeaderDownMilliseconds, maxLeaderDownMilliseconds),
    ),
  }));
  times(counts.brokerOutages, () => ({
    ...kill(),
    kind: 'broker-outage',
    downForMilliseconds: beyondRetries(),
  }));
  times(counts.belowMinIsr, () => ({
    ...kill(),
    kind: 'below-min-isr',
    belowForMilliseconds: beyondRetries(),
  }));
  times(counts.controlledRestarts, () => ({
    at: 0,
    kind: 'controlled-restart',
    pick: random.next(),
  }));
  const first = (['below-min-isr', 'leader-kill'] as const).flatMap((kind) => {
    const fault = faults.find((candidate) => candidate.kind === kind);
    return fault === undefined ? [] : [fault];
  });
  const ordered = [...first, ...random.shuffled(faults.filter((fault) => !first.includes(fault)))];
  const slice = (input.windowEnd - input.windowStart) / Math.max(1, ordered.length);
  return ordered.map((fault, index) => ({
    ...fault,
    at: Math.round(input.windowStart + slice * (index + random.between(0, 0.25))),
  }));
}
