import type { Invocation } from './ledger.js';

/**
 * A record handed to the handler on its first attempt: the first such call of that record (the
 * least ledger sequence), whatever copies of the call followed after kills, crashes and
 * rebalances.
 */
interface FirstAttempt {
  readonly key: string | null;
  readonly partition: number;
  readonly offset: bigint;
  readonly sequence: number;
}

/** Two first attempts of one key in one partition, handed over against their offset order. */
export interface KeyOrderViolation {
  readonly key: string | null;
  readonly partition: number;
  /** The offset handed over first, though it is the later one. */
  readonly handledFirst: string;
  /** The earlier offset, handed over after it. */
  readonly handledAfter: string;
}

/** What the key-order check looked at, and what shows it had something to catch. */
export interface KeyOrderEvidence {
  readonly violations: readonly KeyOrderViolation[];
  /** Records with a first attempt in the ledger. */
  readonly firstAttempts: number;
  /** Distinct (key, partition) lanes among them; a null key is one lane per partition. */
  readonly lanes: number;
  /**
   * First attempts handed over after a later offset of the same partition (of another key, when
   * the order held): records of a partition handled out of partition order, which is what
   * concurrency within a partition looks like. Zero means the run never tested key order.
   */
  readonly aheadOfPartitionOrder: number;
}

/** The first first-attempt call of every record (a source partition and offset). */
function firstAttempts(invocations: readonly Invocation[]): FirstAttempt[] {
  const first = new Map<string, FirstAttempt>();
  for (const call of invocations) {
    if (call.tryCount !== 0) {
      continue;
    }
    const record = `${call.partition}@${call.offset}`;
    const seen = first.get(record);
    if (seen === undefined || call.sequence < seen.sequence) {
      first.set(record, {
        key: call.key,
        partition: call.partition,
        offset: BigInt(call.offset),
        sequence: call.sequence,
      });
    }
  }
  return [...first.values()].sort((a, b) => a.sequence - b.sequence);
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

/**
 * The key-order check (docs/chaos.md): for every key and source partition, take the first time
 * each of its records was handed to the handler on its first attempt (tryCount 0); ordered by
 * that time (the ledger's sequence), their offsets must increase. Only the first hand-over of a
 * record counts, so the copies a kill, a crash or a rebalance makes (the new owner starting again
 * from the committed offset) are no violation; a later offset of the key started before an
 * earlier one had ever started is. Records without a key form one lane per partition.
 */
export function checkKeyOrder(invocations: readonly Invocation[]): KeyOrderEvidence {
  const attempts = firstAttempts(invocations);
  const lanes = groupInOrder(attempts, (attempt) =>
    JSON.stringify([attempt.key, attempt.partition]),
  );
  const violations: KeyOrderViolation[] = [];
  for (const lane of lanes) {
    lane.forEach((attempt, index) => {
      const previous = lane[index - 1];
      if (previous !== undefined && attempt.offset <= previous.offset) {
        violations.push({
          key: attempt.key,
          partition: attempt.partition,
          handledFirst: String(previous.offset),
          handledAfter: String(attempt.offset),
        });
      }
    });
  }
  let aheadOfPartitionOrder = 0;
  for (const partition of groupInOrder(attempts, (attempt) => String(attempt.partition))) {
    let highest: bigint | undefined;
    for (const attempt of partition) {
      if (highest !== undefined && attempt.offset < highest) {
        aheadOfPartitionOrder += 1;
      } else {
        highest = attempt.offset;
      }
    }
  }
  return { violations, firstAttempts: attempts.length, lanes: lanes.length, aheadOfPartitionOrder };
}

/** A violation as the verdict names it: `k0042 p1: 120 before 118`. */
export function describeViolation(violation: KeyOrderViolation): string {
  const key = violation.key ?? '(no key)';
  return `${key} p${violation.partition}: ${violation.handledFirst} before ${violation.handledAfter}`;
}
