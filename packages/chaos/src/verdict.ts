import type { ArchiveEntry } from './archive-reader.js';
import { checkKeyOrder } from './key-order.js';
import { checkKeyStrictOrder, describeKeyStrictViolation } from './key-strict-order.js';
import type { Invocation } from './ledger.js';
import { measure, type Measures } from './measures.js';
import {
  check,
  lostRecords,
  recordChecks,
  type Check,
  type RecordEvidence,
} from './record-checks.js';
import type { RecordPlan } from './record-plan.js';

/** How the service instances ended, as the supervisor saw them. */
export interface ServiceEnding {
  /** Instances that should have been running at the end (retired scale-ups excluded). */
  readonly instances: number;
  /** Not running, or not ready, when the run ended: crash-looping or stuck. */
  readonly notHealthyAtEnd: readonly string[];
  /** Exited other than 0 on the final SIGTERM (or had to be killed): `main-1 (exit 1)`. */
  readonly uncleanStops: readonly string[];
}

export interface VerdictInput {
  readonly plans: readonly RecordPlan[];
  readonly ladderLength: number;
  /** Whether the key-strict order check is one of the checks (else only reported). */
  readonly judgeKeyStrictOrder: boolean;
  readonly invocations: readonly Invocation[];
  readonly sends: ReadonlyMap<string, number>;
  readonly archive: readonly ArchiveEntry[];
  readonly services: ServiceEnding;
}

export interface Verdict {
  readonly passed: boolean;
  readonly checks: readonly Check[];
  readonly measures: Measures;
  readonly lost: number;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name !== null) {
      const group = groups.get(name);
      if (group === undefined) {
        groups.set(name, [item]);
      } else {
        group.push(item);
      }
    }
  }
  return groups;
}

/**
 * The judgement, from what the ledger, the archive and the supervisor recorded: pure, so that
 * each rule is tested on its own (test/verdict.test.ts).
 */
export function judge(input: VerdictInput): Verdict {
  const known = new Set(input.plans.map((plan) => plan.id));
  const evidence: RecordEvidence = {
    plans: input.plans,
    ladderLength: input.ladderLength,
    invocationsById: groupBy(input.invocations, (call) => call.recordId),
    archiveById: groupBy(input.archive, (entry) => entry.recordId),
    sends: input.sends,
    keyOrder: checkKeyOrder(input.invocations),
    keyStrictOrder: checkKeyStrictOrder(input.invocations, input.plans, input.ladderLength),
  };
  const { keyStrictOrder } = evidence;
  const unknownArchiveEntries = input.archive.filter(
    (entry) => entry.recordId === null || !known.has(entry.recordId),
  ).length;
  const { services } = input;
  const allInstances = `${services.instances} of ${services.instances}`;
  const checks: Check[] = [
    ...recordChecks(evidence, unknownArchiveEntries),
    ...(input.judgeKeyStrictOrder
      ? [
          check(
            'every key’s records done with in offset order, across retries (key-strict)',
            keyStrictOrder.violations.map(describeKeyStrictViolation),
            `${keyStrictOrder.succeeded} succeeded, ${keyStrictOrder.deadLettered} dead-lettered ` +
              `in ${keyStrictOrder.lanes} key-partition lanes`,
          ),
        ]
      : []),
    check(
      'no service crash-looping: every instance running and ready at the end',
      services.notHealthyAtEnd,
      allInstances,
    ),
    check(
      'every instance stopped cleanly (exit 0) on the final SIGTERM',
      services.uncleanStops,
      allInstances,
    ),
  ];
  return {
    passed: checks.every((item) => item.passed),
    checks,
    measures: measure(evidence),
    lost: lostRecords(evidence).length,
  };
}
