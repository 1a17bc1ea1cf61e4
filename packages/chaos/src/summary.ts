import { formatTierLadder } from '@ricochet/core';
import { defaultOrdering } from '@ricochet/main-consumer/defaults';
import { formatTable } from '@ricochet/cli';
import type { ChaosTally } from './chaos-driver.js';
import type { FaultRecord } from './cluster-driver.js';
import type { ChaosOptions } from './options.js';
import type { RecordKind, RecordPlan } from './record-plan.js';
import { roles, type Role } from './supervisor.js';
import { formatElapsed } from './timing.js';
import type { Verdict } from './verdict.js';

/** Everything the run found, for the summary table. */
export interface ChaosReport {
  readonly options: ChaosOptions;
  readonly runDirectory: string;
  readonly durationMilliseconds: number;
  readonly plans: readonly RecordPlan[];
  readonly tally: ChaosTally;
  /** The broker faults of a cluster run, in order; none on the single broker. */
  readonly clusterFaults: readonly FaultRecord[];
  readonly unexpectedExits: Readonly<Record<Role, number>>;
  readonly failedSends: number;
  /** The traffic's failed sends by what failed them (the broker's error code where it gave one). */
  readonly failureKinds: ReadonlyMap<string, number>;
  /** Records published to the dead-letter topic, and entries in the archive. */
  readonly deadLetters: { readonly published: number; readonly archived: number };
  readonly verdict: Verdict;
}

const kinds: readonly RecordKind[] = ['ok', 'flaky', 'poison', 'non-retryable', 'slow', 'crashing'];

const perRole = (counts: Readonly<Record<Role, number>>): string =>
  roles.map((role) => `${role} ${counts[role]}`).join(', ');

/** The measures and the checks as two tables, and the result on the last line. */
export function renderSummary(report: ChaosReport): string {
  const { options, tally, verdict } = report;
  const { measures } = verdict;
  const counts = kinds.map(
    (kind) => `${kind} ${report.plans.filter((plan) => plan.kind === kind).length}`,
  );
  const downtimes = tally.brokerDowntimes.map((milliseconds) => formatElapsed(milliseconds));
  const scale =
    tally.scale === undefined
      ? 'not done'
      : `${tally.scale.tier} 1 -> ${tally.scale.to} -> 1 (held partitions: ` +
        `${tally.scale.heldAtScaleUp} at scale-up, ${tally.scale.heldAtScaleDown} at scale-down)`;
  const lateness =
    measures.lateness === undefined
      ? 'no redeliveries'
      : `p50 ${formatElapsed(measures.lateness.p50)}, p99 ${formatElapsed(measures.lateness.p99)}, ` +
        `max ${formatElapsed(measures.lateness.max)} (${measures.redeliveries} redeliveries)`;
  const brokerFacts: string[][] =
    options.cluster === undefined
      ? [
          [
            'broker restarts',
            `${tally.brokerRestarts}` +
              (downtimes.length === 0
                ? ''
                : ` (${options.brokerRestartMode}; down ${downtimes.join(', ')})`),
          ],
          ['lost acknowledgements', String(tally.lostAcks)],
        ]
      : [['broker faults (3-node cluster)', countFaults(report.clusterFaults)]];
  const failureKinds = [...report.failureKinds]
    .sort(([, a], [, b]) => b - a)
    .map(([kind, count]) => `${kind} ${count}`);
  const facts: string[][] = [
    ['records', `${report.plans.length} over ${options.keys} keys: ${counts.join(', ')}`],
    ['kills (kill -9) per role', perRole(tally.kills)],
    ...brokerFacts,
    ['delay tier scaled', scale],
    ['unexpected service exits', perRole(report.unexpectedExits)],
    [
      'traffic sends retried',
      String(report.failedSends) +
        (failureKinds.length === 0 ? '' : ` (${failureKinds.join(', ')})`),
    ],
    [
      'dead letters',
      `${report.deadLetters.published} published, ${report.deadLetters.archived} archived ` +
        `(${report.deadLetters.published - report.deadLetters.archived} copies skipped)`,
    ],
    ['lost', String(verdict.lost)],
    ['handler invocations', `${measures.invocations} (planned ${measures.plannedInvocations})`],
    [
      'duplicate invocations',
      `${measures.duplicateInvocations} (${(measures.duplicateRate * 100).toFixed(2)}%)`,
    ],
    ['redelivery lateness', lateness],
    [
      'first attempts overlapping in a partition',
      `${measures.overlappedInPartition} (handed over while an earlier record of the partition ran)`,
    ],
    [
      'key-strict order across retries',
      `${measures.keyStrictOrder.violations} done before an earlier record of their key; ` +
        `${measures.keyStrictOrder.blockers} records blocked their key through the tiers` +
        (options.judgeKeyStrictOrder ? '' : ' (not judged)'),
    ],
    ['duration', formatElapsed(report.durationMilliseconds)],
  ];
  const checks = verdict.checks.map((check) => [
    check.name,
    check.passed ? 'PASS' : 'FAIL',
    check.detail,
  ]);
  return [
    `Ricochet chaos run: ${verdict.passed ? 'PASS' : 'FAIL'}`,
    `profile ${options.profile} · seed ${options.seed} · ladder ${formatTierLadder(options.ladder)} · ` +
      `${options.records} records at ${options.rate}/s · ` +
      `ordering ${options.ordering ?? `${defaultOrdering} (default)`} · ` +
      `redelivery ${options.redelivery} · driver ${options.driver} · ` +
      `max-in-flight ${options.maxInFlight} · ` +
      `handler latency 0-${options.maxHandlerLatencyMs} ms · ${report.runDirectory}`,
    '',
    formatTable(['measure', 'value'], facts),
    '',
    ...(report.clusterFaults.length === 0
      ? []
      : [formatTable(['at', 'broker fault', 'down', 'all in sync after'], faultRows(report)), '']),
    formatTable(['check', 'result', 'detail'], checks),
    '',
    verdict.passed
      ? 'RESULT: PASS'
      : `RESULT: FAIL (repeat with --seed ${options.seed}; logs in ${report.runDirectory})`,
  ].join('\n');
}

const faultNames: Readonly<Record<FaultRecord['kind'], string>> = {
  'leader-kill': 'leader kills',
  'broker-outage': 'long outages',
  'controlled-restart': 'controlled restarts',
  'below-min-isr': 'below min.insync.replicas',
};

function countFaults(faults: readonly FaultRecord[]): string {
  return (Object.keys(faultNames) as Array<FaultRecord['kind']>)
    .map((kind) => `${faultNames[kind]} ${faults.filter((fault) => fault.kind === kind).length}`)
    .join(', ');
}

/** One row per broker fault: when, what, how long the broker was down, how long to catch up. */
function faultRows(report: ChaosReport): string[][] {
  return report.clusterFaults.map((fault) => [
    formatElapsed(fault.at),
    fault.description,
    formatElapsed(fault.downMilliseconds),
    fault.inSyncAfterMilliseconds === undefined
      ? 'not within 90s'
      : formatElapsed(fault.inSyncAfterMilliseconds),
  ]);
}
