import type { DeadLetterReason } from '@ricochet/core';
import type { ArchiveEntry } from './archive-reader.js';
import { describeViolation, type KeyOrderEvidence } from './key-order.js';
import type { KeyStrictEvidence } from './key-strict-order.js';
import type { Invocation } from './ledger.js';
import { endsArchived, plannedTries, type RecordPlan } from './record-plan.js';

/** One line of the verdict: what was checked, whether it held, and the numbers behind it. */
export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** What the ledger and the archive say, per record id. */
export interface RecordEvidence {
  readonly plans: readonly RecordPlan[];
  readonly ladderLength: number;
  readonly invocationsById: ReadonlyMap<string, readonly Invocation[]>;
  readonly archiveById: ReadonlyMap<string, readonly ArchiveEntry[]>;
  /** Sends per id; more than 1 after a send that failed and was made again. */
  readonly sends: ReadonlyMap<string, number>;
  /** The first attempts of every key, in the order they were handed over (key-order.ts). */
  readonly keyOrder: KeyOrderEvidence;
  /** Every key's records done with in offset order, retries included (key-strict-order.ts). */
  readonly keyStrictOrder: KeyStrictEvidence;
}

const examplesShown = 5;

/** `n` and, when there are any, the first few ids: enough to start looking. */
function countWithExamples(ids: readonly string[]): string {
  if (ids.length === 0) {
    return '0';
  }
  const shown = ids.slice(0, examplesShown).join(', ');
  return `${ids.length} (${shown}${ids.length > examplesShown ? ', ...' : ''})`;
}

/** Passes when nothing is failing; the detail names the failing, or says what passed. */
export function check(name: string, failing: readonly string[], passDetail: string): Check {
  return {
    name,
    passed: failing.length === 0,
    detail: failing.length === 0 ? passDetail : `failing: ${countWithExamples(failing)}`,
  };
}

const succeeded = (invocations: readonly Invocation[] | undefined): boolean =>
  (invocations ?? []).some((invocation) => invocation.outcome === 'succeeded');

/** The pass condition: every id either succeeded in the ledger or is in the archive. */
export function lostRecords(evidence: RecordEvidence): string[] {
  return evidence.plans
    .filter(
      (plan) =>
        !succeeded(evidence.invocationsById.get(plan.id)) &&
        (evidence.archiveById.get(plan.id) ?? []).length === 0,
    )
    .map((plan) => plan.id);
}

/** The checks on what became of the records, in the order the summary lists them. */
export function recordChecks(evidence: RecordEvidence, unknownArchiveEntries: number): Check[] {
  const { plans, ladderLength, invocationsById, archiveById, sends, keyOrder } = evidence;
  const lost = lostRecords(evidence);
  const archived = plans.filter(endsArchived);
  const succeeding = plans.filter((plan) => !endsArchived(plan));
  const entries = (plan: RecordPlan): readonly ArchiveEntry[] => archiveById.get(plan.id) ?? [];
  const notOnce = archived
    .filter((plan) => {
      const copies = entries(plan).length;
      return copies < 1 || copies > (sends.get(plan.id) ?? 1);
    })
    .map((plan) => plan.id);
  const archivedWrongly = (
    kind: RecordPlan['kind'],
    reason: DeadLetterReason,
    tryCount: number | null,
  ) =>
    archived
      .filter((plan) => plan.kind === kind)
      .filter((plan) =>
        entries(plan).some((entry) => entry.reason !== reason || entry.tryCount !== tryCount),
      )
      .map((plan) => plan.id);
  const archivedCount = (kind: RecordPlan['kind']): number =>
    archived.filter((plan) => plan.kind === kind).length;
  // Named with the reason it was archived for: the first thing to know of such a failure.
  const unexpectedlyArchived = succeeding
    .filter((plan) => entries(plan).length > 0)
    .map(
      (plan) =>
        `${plan.id} (${plan.kind}, archived as ${entries(plan)
          .map((entry) => `${entry.reason} try_count ${entry.tryCount ?? 'none'}`)
          .join(', ')})`,
    );
  const notSucceededOnPlan = succeeding
    .filter(
      (plan) =>
        !(invocationsById.get(plan.id) ?? []).some(
          (invocation) =>
            invocation.outcome === 'succeeded' && invocation.tryCount === plan.failures,
        ),
    )
    .map((plan) => plan.id);
  const offPlanTries = plans
    .filter((plan) => {
      const tries = new Set((invocationsById.get(plan.id) ?? []).map((call) => call.tryCount));
      const expected = plannedTries(plan, ladderLength);
      const expectedTries = Array.from({ length: expected }, (_, tryCount) => tryCount);
      return tries.size !== expected || expectedTries.some((tryCount) => !tries.has(tryCount));
    })
    .map((plan) => plan.id);
  const early = plans
    .filter((plan) =>
      (invocationsById.get(plan.id) ?? []).some(
        (call) => call.dueAt !== null && call.invokedAt < call.dueAt,
      ),
    )
    .map((plan) => plan.id);
  return [
    check('lost records (neither succeeded nor archived): 0', lost, `0 of ${plans.length}`),
    check(
      'every poison, non-retryable and crashing id archived exactly once',
      notOnce,
      `${archived.length} ids`,
    ),
    check(
      `poison archived: retries-exhausted, try_count ${ladderLength + 1}`,
      archivedWrongly('poison', 'retries-exhausted', ladderLength + 1),
      `${archivedCount('poison')} ids`,
    ),
    check(
      'non-retryable archived: non-retryable-error, try_count 1',
      archivedWrongly('non-retryable', 'non-retryable-error', 1),
      `${archivedCount('non-retryable')} ids`,
    ),
    check(
      // Never retried, so it carries no try count.
      'crashing archived: handler-crashed, no try_count',
      archivedWrongly('crashing', 'handler-crashed', null),
      `${archivedCount('crashing')} ids`,
    ),
    check(
      'ok, flaky and slow ids succeeded on their planned try',
      notSucceededOnPlan,
      `${succeeding.length} ids`,
    ),
    check(
      'nothing archived that should succeed, nothing unknown',
      [...unexpectedlyArchived, ...Array<string>(unknownArchiveEntries).fill('(no known id)')],
      '0',
    ),
    check('every planned try made, none beyond', offPlanTries, `${plans.length} ids`),
    check('no redelivery before its due time', early, '0 early'),
    check(
      'first attempts of every key handled in offset order',
      keyOrder.outOfOrder.map(describeViolation),
      `${keyOrder.firstAttempts} records in ${keyOrder.lanes} key-partition lanes`,
    ),
    check(
      'first attempts of every key handled one at a time',
      keyOrder.overlapping.map(describeViolation),
      `${keyOrder.firstAttempts} records`,
    ),
  ];
}
