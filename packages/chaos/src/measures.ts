import type { Invocation } from './ledger.js';
import { plannedCalls } from './record-plan.js';
import type { RecordEvidence } from './record-checks.js';

/** Numbers reported, not judged: at-least-once allows duplicates, and lateness has no bound. */
export interface Measures {
  readonly invocations: number;
  /** Handler calls the plan asks for (times the sends of each id). */
  readonly plannedInvocations: number;
  /** Calls beyond the planned ones: redeliveries after kills, rebalances and restarts. */
  readonly duplicateInvocations: number;
  /** duplicateInvocations / plannedInvocations. */
  readonly duplicateRate: number;
  /**
   * First attempts handed over while an earlier record of their partition was still running: how
   * much the main consumers handled a partition's records at once, which the key-order checks need
   * to mean anything.
   */
  readonly overlappedInPartition: number;
  /**
   * The key-strict order check, judged or not: records done with before an earlier record of their
   * key (what `--ordering key` does across retries), and records that went through the tiers with
   * later records of their key behind them (what put the order to the test).
   */
  readonly keyStrictOrder: { readonly violations: number; readonly blockers: number };
  /** Redelivered calls (those with a due-at). */
  readonly redeliveries: number;
  /** invokedAt - dueAt over redeliveries, in ms; undefined when there were none. */
  readonly lateness:
    { readonly p50: number; readonly p99: number; readonly max: number } | undefined;
}

/** The value at quantile `q` of ascending `sorted` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export function measure(evidence: RecordEvidence): Measures {
  const { plans, ladderLength, invocationsById, sends, keyOrder, keyStrictOrder } = evidence;
  let invocations = 0;
  let plannedInvocations = 0;
  let duplicateInvocations = 0;
  for (const plan of plans) {
    const calls = invocationsById.get(plan.id)?.length ?? 0;
    const planned = plannedCalls(plan, ladderLength) * (sends.get(plan.id) ?? 1);
    invocations += calls;
    plannedInvocations += planned;
    duplicateInvocations += Math.max(0, calls - planned);
  }
  const lateness = [...invocationsById.values()]
    .flat()
    .filter((call): call is Invocation & { dueAt: number } => call.dueAt !== null)
    .map((call) => call.invokedAt - call.dueAt)
    .sort((a, b) => a - b);
  return {
    invocations,
    plannedInvocations,
    duplicateInvocations,
    duplicateRate: plannedInvocations === 0 ? 0 : duplicateInvocations / plannedInvocations,
    overlappedInPartition: keyOrder.overlappedInPartition,
    keyStrictOrder: {
      violations: keyStrictOrder.violations.length,
      blockers: keyStrictOrder.blockers,
    },
    redeliveries: lateness.length,
    lateness:
      lateness.length === 0
        ? undefined
        : {
            p50: quantile(lateness, 0.5),
            p99: quantile(lateness, 0.99),
            max: lateness.at(-1) ?? 0,
          },
  };
}
