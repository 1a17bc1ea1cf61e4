import type { Invocation } from './ledger.js';
import { endsArchived, plannedTries, type RecordPlan } from './record-plan.js';

/**
 * One record (its original partition and offset) and the moment it was done with, as far as the
 * records behind it are concerned: its first successful call, or, for a record planned to be
 * dead-lettered, the first call of the try that ends it (the `release` rule lets the records
 * behind it go on once it is dead-lettered, and never before that call).
 */
interface Resolution {
  readonly key: string | null;
  readonly partition: number;
  readonly offset: bigint;
  /** The ledger sequence of that call. */
  readonly sequence: number;
  readonly how: 'succeeded' | 'dead-lettered';
  /** Whether the record went through the tiers (a call on a later try): its key was blocked. */
  readonly retried: boolean;
}

/** A record of a key done with before an earlier record of the same key was. */
export interface KeyStrictViolation {
  readonly key: string | null;
  readonly partition: number;
  /** The earlier offset, done with too late. */
  readonly earlier: string;
  /** The later offset, done with first. */
  readonly later: string;
  readonly how: Resolution['how'];
}

/** What the key-strict order check looked at. */
export interface KeyStrictEvidence {
  readonly violations: readonly KeyStrictViolation[];
  /** Records with a successful call. */
  readonly succeeded: number;
  /** Records planned to be dead-lettered whose ending try was called. */
  readonly deadLettered: number;
  /** Distinct (key, partition) lanes among them. */
  readonly lanes: number;
  /**
   * Records that went through the tiers with a later record of their key behind them: each blocked
   * its key for a while. Zero means the run never put the order across retries to the test.
   */
  readonly blockers: number;
}

/**
 * When each record was done with. Records are told apart by their original position, so that a
 * redelivery (at an offset of its own) counts for the record it redelivers. A record without such
 * a call (lost, or still unresolved) is left out: the lost-records check answers for it.
 */
function resolutions(
  invocations: readonly Invocation[],
  plans: ReadonlyMap<string, RecordPlan>,
  ladderLength: number,
): Resolution[] {
  const calls = new Map<string, Invocation[]>();
  for (const call of invocations) {
    const name = `${call.originalPartition}@${call.originalOffset}`;
    const seen = calls.get(name);
    if (seen === undefined) {
      calls.set(name, [call]);
    } else {
      seen.push(call);
    }
  }
  const found: Resolution[] = [];
  for (const record of calls.values()) {
    const [any] = record;
    const plan = any === undefined ? undefined : plans.get(any.recordId);
    if (any === undefined || plan === undefined) {
      continue;
    }
    const archived = endsArchived(plan);
    const endingTry = plannedTries(plan, ladderLength) - 1;
    const ending = record
      .filter((call) =>
        archived
          ? call.tryCount === endingTry
          : call.outcome === 'succeeded' && call.endedAt !== null,
      )
      .reduce<Invocation | undefined>(
        (first, call) => (first === undefined || call.sequence < first.sequence ? call : first),
        undefined,
      );
    if (ending !== undefined) {
      found.push({
        key: any.key,
        partition: any.originalPartition,
        offset: BigInt(any.originalOffset),
        sequence: ending.sequence,
        how: archived ? 'dead-lettered' : 'succeeded',
        retried: record.some((call) => call.tryCount > 0),
      });
    }
  }
  return found;
}

/**
 * The `key-strict` order check (docs/chaos.md): for every key and source partition, each record is
 * done with (its first successful call; for a record that ends dead-lettered, the first call of
 * its ending try) only after every earlier record of the key was, retries through the tiers
 * included. Later duplicates (a kill before the commit) do not count: only the first success.
 * Records without a key form one lane per partition, as the main consumer treats them.
 */
export function checkKeyStrictOrder(
  invocations: readonly Invocation[],
  plans: readonly RecordPlan[],
  ladderLength: number,
): KeyStrictEvidence {
  const found = resolutions(
    invocations,
    new Map(plans.map((plan) => [plan.id, plan])),
    ladderLength,
  );
  const lanes = new Map<string, Resolution[]>();
  for (const resolution of found) {
    const name = JSON.stringify([resolution.key, resolution.partition]);
    const lane = lanes.get(name);
    if (lane === undefined) {
      lanes.set(name, [resolution]);
    } else {
      lane.push(resolution);
    }
  }
  const violations: KeyStrictViolation[] = [];
  let blockers = 0;
  for (const lane of lanes.values()) {
    lane.sort((a, b) => (a.offset < b.offset ? -1 : 1));
    let latest: Resolution | undefined;
    lane.forEach((resolution, index) => {
      if (latest !== undefined && resolution.sequence < latest.sequence) {
        violations.push({
          key: resolution.key,
          partition: resolution.partition,
          earlier: String(latest.offset),
          later: String(resolution.offset),
          how: resolution.how,
        });
      }
      if (latest === undefined || resolution.sequence > latest.sequence) {
        latest = resolution;
      }
      if (resolution.retried && index < lane.length - 1) {
        blockers += 1;
      }
    });
  }
  return {
    violations,
    succeeded: found.filter((resolution) => resolution.how === 'succeeded').length,
    deadLettered: found.filter((resolution) => resolution.how === 'dead-lettered').length,
    lanes: lanes.size,
    blockers,
  };
}

/** As the verdict names it: `k0042 p1: 120 succeeded before 118`. */
export function describeKeyStrictViolation(violation: KeyStrictViolation): string {
  return (
    `${violation.key ?? '(no key)'} p${violation.partition}: ` +
    `${violation.later} ${violation.how} before ${violation.earlier}`
  );
}
