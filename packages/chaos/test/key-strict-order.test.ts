import { expect } from 'chai';
import {
  checkKeyStrictOrder,
  describeKeyStrictViolation,
  type Invocation,
  type RecordPlan,
} from '@ricochet/chaos';

const ladderLength = 3;

/**
 * A ledger written in the order given: each call's sequence is its place in the list. A call is
 * `key partition@offset try [outcome] [-]`, at the record's original position; a later try is
 * delivered at an offset of its own in partition 9 (a redelivery), and a trailing `-` means the
 * call never ended (its process was killed). A null key is written `-`.
 */
function ledger(...calls: string[]): Invocation[] {
  return calls.map((text, index) => {
    const [key, position, tryCount, outcome, end] = text.split(' ');
    const [partition, offset] = (position ?? '').split('@');
    const invokedAt = index + 1;
    const redelivery = Number(tryCount) > 0;
    return {
      sequence: index + 1,
      recordId: position ?? '',
      key: key === '-' ? null : (key ?? null),
      tryCount: Number(tryCount),
      invokedAt,
      endedAt: end === '-' ? null : invokedAt + 0.5,
      dueAt: redelivery ? invokedAt : null,
      pid: 1,
      outcome: (outcome ?? 'succeeded') as Invocation['outcome'],
      partition: redelivery ? 9 : Number(partition),
      offset: redelivery ? String(1000 + index) : (offset ?? ''),
      originalPartition: Number(partition),
      originalOffset: offset ?? '',
    };
  });
}

/** A plan for each record of the ledger (id = position): `ok` unless listed. */
function plansOf(
  invocations: readonly Invocation[],
  kinds: Readonly<Record<string, readonly [RecordPlan['kind'], number]>> = {},
): RecordPlan[] {
  const ids = [...new Set(invocations.map((call) => call.recordId))];
  return ids.map((id) => {
    const [kind, failures] = kinds[id] ?? ['ok', 0];
    return { id, key: 'unused', kind, failures, latencyMilliseconds: 0 };
  });
}

function check(
  kinds: Readonly<Record<string, readonly [RecordPlan['kind'], number]>>,
  ...calls: string[]
): ReturnType<typeof checkKeyStrictOrder> {
  const invocations = ledger(...calls);
  return checkKeyStrictOrder(invocations, plansOf(invocations, kinds), ladderLength);
}

const failed = 'retryable-failure';

describe('chaos key-strict order check', () => {
  it('passes a key whose later records wait until the earlier one succeeds on its retry', () => {
    const evidence = check(
      { '0@0': ['flaky', 1] },
      `a 0@0 0 ${failed}`,
      'b 0@1 0',
      'a 0@0 1',
      'a 0@2 0',
      'a 0@3 0',
      'b 0@4 0',
    );
    expect(evidence).to.deep.equal({
      violations: [],
      succeeded: 5,
      deadLettered: 0,
      lanes: 2,
      blockers: 1,
    });
  });

  it('fails a later record of the key that succeeded while the earlier one was in the tiers', () => {
    // What `--ordering key` does: 0@2 goes on once 0@0 is handed to a tier.
    const evidence = check(
      { '0@0': ['flaky', 2] },
      `a 0@0 0 ${failed}`,
      'a 0@2 0',
      `a 0@0 1 ${failed}`,
      'a 0@3 0',
      'a 0@0 2',
      'a 0@5 0',
    );
    expect(evidence.violations).to.deep.equal([
      { key: 'a', partition: 0, earlier: '0', later: '2', how: 'succeeded' },
      { key: 'a', partition: 0, earlier: '0', later: '3', how: 'succeeded' },
    ]);
    expect(evidence.violations.map(describeKeyStrictViolation)).to.deep.equal([
      'a p0: 2 succeeded before 0',
      'a p0: 3 succeeded before 0',
    ]);
  });

  it('lets the records behind a dead-lettered record go on once its last try was made, not before', () => {
    const poison = { '0@0': ['poison', 0] } as const;
    const tries = [0, 1, 2].map((tryCount) => `a 0@0 ${tryCount} ${failed}`);
    expect(check(poison, ...tries, `a 0@0 3 ${failed}`, 'a 0@1 0').violations).to.deep.equal([]);
    expect(check(poison, ...tries, 'a 0@1 0', `a 0@0 3 ${failed}`).violations).to.deep.equal([
      { key: 'a', partition: 0, earlier: '0', later: '1', how: 'succeeded' },
    ]);
    const nonRetryable = { '0@0': ['non-retryable', 0] } as const;
    expect(
      check(nonRetryable, 'a 0@0 0 non-retryable-failure', 'a 0@1 0').violations,
    ).to.deep.equal([]);
  });

  it('fails a record dead-lettered while an earlier record of its key was in the tiers', () => {
    const evidence = check(
      { '0@0': ['flaky', 1], '0@1': ['non-retryable', 0] },
      `a 0@0 0 ${failed}`,
      'a 0@1 0 non-retryable-failure',
      'a 0@0 1',
    );
    expect(evidence.violations.map(describeKeyStrictViolation)).to.deep.equal([
      'a p0: 1 dead-lettered before 0',
    ]);
    expect(evidence.deadLettered).to.equal(1);
  });

  it('counts a record’s first success only: copies after a kill, and calls that never ended, do not count', () => {
    const evidence = check(
      {},
      'a 0@1 0 succeeded -',
      'a 0@0 0',
      'a 0@1 0',
      'a 0@2 0',
      // The new owner after a kill, handling again from the committed offset.
      'a 0@1 0',
      'a 0@2 0',
    );
    expect(evidence.violations).to.deep.equal([]);
    expect(evidence.succeeded).to.equal(3);
  });

  it('takes a redelivery for the record at its original position', () => {
    // The retry of 0@0 is delivered at 9@1002, yet it is 0@0 that succeeds there.
    const evidence = check({ '0@0': ['flaky', 1] }, `a 0@0 0 ${failed}`, 'a 0@1 0', 'a 0@0 1');
    expect(evidence.violations.map(describeKeyStrictViolation)).to.deep.equal([
      'a p0: 1 succeeded before 0',
    ]);
  });

  it('compares offsets as numbers, keeps partitions apart and gives records without a key one lane per partition', () => {
    expect(check({}, 'a 0@9 0', 'a 0@10 0').violations).to.deep.equal([]);
    expect(check({}, 'a 0@10 0', 'a 0@9 0').violations).to.have.length(1);
    expect(check({}, 'a 1@5 0', 'a 0@2 0').violations).to.deep.equal([]);
    const nullKeys = check({}, '- 0@3 0', '- 1@1 0', '- 0@1 0');
    expect(nullKeys.lanes).to.equal(2);
    expect(nullKeys.violations.map(describeKeyStrictViolation)).to.deep.equal([
      '(no key) p0: 3 succeeded before 1',
    ]);
  });

  it('leaves out records never done with: the lost-records check answers for them', () => {
    const evidence = check({ '0@0': ['flaky', 1] }, `a 0@0 0 ${failed}`, 'a 0@1 0');
    expect(evidence.violations).to.deep.equal([]);
    expect(evidence.succeeded).to.equal(1);
  });
});
