import type { Invocation } from './ledger.js';
import type { PlannedOutcome } from './record-plan.js';

/** One record (a source partition and offset) and every call of it on its first attempt. */
interface FirstAttempts {
  readonly key: string | null;
  readonly partition: number;
  readonly offset: bigint;
  /** The first of them (the least ledger sequence): when the record was first handed over. */
  readonly first: Invocation;
  readonly calls: Invocation[];
}

/**
 * Two first attempts of one key in one partition against key order: `out-of-order`, the later
 * offset was handed over first; `overlapping`, the later one was handed over before any call of
 * the earlier one had ended.
 */
export interface KeyOrderViolation {
  readonly kind: 'out-of-order' | 'overlapping';
  readonly key: string | null;
  readonly partition: number;
  /** The earlier offset of the two. */
  readonly earlier: string;
  /** The later offset, handed over too soon. */
  readonly later: string;
}

/** What the key-order checks looked at, and what shows they had something to catch. */
export interface KeyOrderEvidence {
  /** Violations of offset order (`out-of-order`). */
  readonly outOfOrder: readonly KeyOrderViolation[];
  /** Violations of one at a time (`overlapping`). */
  readonly overlapping: readonly KeyOrderViolation[];
  /** Records with a first attempt in the ledger. */
  readonly firstAttempts: number;
  /** Distinct (key, partition) lanes among them; a null key is one lane per partition. */
  readonly lanes: number;
  /**
   * First attempts handed over while a first-attempt call of an earlier offset of the same
   * partition was still running (of another key, when the order held): records of a partition
   * handled at once. Zero means the run never put key order to the test.
   */
  readonly overlappedInPartition: number;
}

/**
 * Calls the main consumer does not wait for: it gives up on a call that outlasts its handler
 * timeout, and a crash ends the process. Such a call ends late or never, and the next record of
 * its key rightly goes ahead.
 */
const notWaitedFor: ReadonlySet<PlannedOutcome> = new Set(['outlasts-timeout', 'crashes-process']);

/** Every record's first-attempt calls (tryCount 0), in the order first handed over. */
function firstAttempts(invocations: readonly Invocation[]): FirstAttempts[] {
  const records = new Map<string, FirstAttempts>();
  for (const call of invocations) {
    if (call.tryCount !== 0) {
      continue;
    }
    const name = `${call.partition}@${call.offset}`;
    const seen = records.get(name);
    if (seen === undefined) {
      const offset = BigInt(call.offset);
      records.set(name, {
        key: call.key,
        partition: call.partition,
        offset,
        first: call,
        calls: [call],
      });
    } else {
      seen.calls.push(call);
      if (call.sequence < seen.first.sequence) {
        records.set(name, { ...seen, first: call });
      }
    }
  }
  return [...records.values()].sort((a, b) => a.first.sequence - b.first.sequence);
}

function groupInOrder<T>(items: readonly T[], lane: (item: T) => string): T[][] {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const name = lane(item);
    const members = lanes.get(name);
    if (members === undefined) {
      lanes.set(name, [item]);
    } else {
      members.push(item);
    }
  }
  return [...lanes.values()];
}

/** Whether a call of `earlier` had ended by the time `later` was first handed over. */
function endedBefore(earlier: FirstAttempts, later: FirstAttempts): boolean {
  return earlier.calls.some(
    (call) =>
      notWaitedFor.has(call.outcome) ||
      (call.endedAt !== null && call.endedAt <= later.first.invokedAt),
  );
}

/**
 * How many of a partition's first attempts (in the order handed over) started while the first call
 * of an earlier offset was running. A call that never ended (killed) is left out: it would seem to
 * run for ever.
 */
function overlappedInPartition(partition: readonly FirstAttempts[]): number {
  let running: FirstAttempts[] = [];
  let overlapped = 0;
  for (const attempt of partition) {
    const startedAt = attempt.first.invokedAt;
    running = running.filter((other) => (other.first.endedAt ?? 0) > startedAt);
    if (running.some((other) => other.offset < attempt.offset)) {
      overlapped += 1;
    }
    if (attempt.first.endedAt !== null) {
      running.push(attempt);
    }
  }
  return overlapped;
}

/**
 * The key-order checks (docs/chaos.md). For every key and source partition, take each record's
 * first hand-over to the handler on its first attempt (tryCount 0): the least ledger sequence of
 * its calls. Only that first hand-over counts, so the copies a kill, a crash or a rebalance makes
 * (the new owner starting again from the committed offset) are no violation.
 * - In offset order: ordered by that first hand-over, the records' offsets increase.
 * - One at a time: a record is first handed over only once a first-attempt call of the record
 *   before it (in offset order) has ended, by the host's clock; the calls the main consumer does
 *   not wait for (a timeout, a crash) are let off. A copy of the earlier record that ended will do:
 *   after a kill, the new owner handles it again before going on.
 * Records without a key form one lane per partition.
 */
export function checkKeyOrder(invocations: readonly Invocation[]): KeyOrderEvidence {
  const attempts = firstAttempts(invocations);
  const lanes = groupInOrder(attempts, (attempt) =>
    JSON.stringify([attempt.key, attempt.partition]),
  );
  const violation = (
    kind: KeyOrderViolation['kind'],
    earlier: FirstAttempts,
    later: FirstAttempts,
  ): KeyOrderViolation => ({
    kind,
    key: earlier.key,
    partition: earlier.partition,
    earlier: String(earlier.offset),
    later: String(later.offset),
  });
  const outOfOrder: KeyOrderViolation[] = [];
  const overlapping: KeyOrderViolation[] = [];
  for (const lane of lanes) {
    lane.forEach((attempt, index) => {
      const previous = lane[index - 1];
      if (previous !== undefined && attempt.offset <= previous.offset) {
        outOfOrder.push(violation('out-of-order', attempt, previous));
      }
    });
    const byOffset = [...lane].sort((a, b) => (a.offset < b.offset ? -1 : 1));
    byOffset.forEach((attempt, index) => {
      const previous = byOffset[index - 1];
      if (previous !== undefined && !endedBefore(previous, attempt)) {
        overlapping.push(violation('overlapping', previous, attempt));
      }
    });
  }
  return {
    outOfOrder,
    overlapping,
    firstAttempts: attempts.length,
    lanes: lanes.length,
    overlappedInPartition: groupInOrder(attempts, (attempt) => String(attempt.partition)).reduce(
      (sum, partition) => sum + overlappedInPartition(partition),
      0,
    ),
  };
}

/** A violation as the verdict names it: `k0042 p1: 120 before 118`, `... 121 while 120 ran`. */
export function describeViolation(violation: KeyOrderViolation): string {
  const where = `${violation.key ?? '(no key)'} p${violation.partition}`;
  return violation.kind === 'out-of-order'
    ? `${where}: ${violation.later} before ${violation.earlier}`
    : `${where}: ${violation.later} while ${violation.earlier} ran`;
}
