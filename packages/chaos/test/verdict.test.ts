import { expect } from 'chai';
import {
  judge,
  type ArchiveEntry,
  type Invocation,
  type RecordPlan,
  type ServiceEnding,
  type VerdictInput,
} from '@ricochet/chaos';

const ladderLength = 3;
const healthy: ServiceEnding = { instances: 8, notHealthyAtEnd: [], uncleanStops: [] };

/** Each record with a key of its own: key order is key-order.test.ts's business. */
const plan = (id: string, kind: RecordPlan['kind'], failures: number): RecordPlan => ({
  id,
  key: `key-${id}`,
  kind,
  failures,
  latencyMilliseconds: 0,
});

const ok = plan('r1', 'ok', 0);
const flaky = plan('r2', 'flaky', 2);
const poison = plan('r3', 'poison', 0);
const nonRetryable = plan('r4', 'non-retryable', 0);
const plans = [ok, flaky, poison, nonRetryable];

let clock = 1_000_000;
let sequence = 0;

/** One handler call; a try after the first was due 1 s before it was made. */
function call(
  recordId: string,
  tryCount: number,
  outcome: Invocation['outcome'],
  overrides: Partial<Invocation> = {},
): Invocation {
  clock += 10_000;
  sequence += 1;
  return {
    sequence,
    recordId,
    key: `key-${recordId}`,
    tryCount,
    invokedAt: clock,
    endedAt: clock + 1,
    dueAt: tryCount === 0 ? null : clock - 1_000,
    pid: 42,
    outcome,
    partition: 0,
    offset: String(clock),
    // Each record is one produced record, wherever its tries were delivered.
    originalPartition: 0,
    originalOffset: recordId.slice(1),
    ...overrides,
  };
}

function archived(
  recordId: string | null,
  reason: string,
  tryCount: number | null,
  offset = 0,
): ArchiveEntry {
  return { recordId, reason, tryCount, dlqPartition: 0, dlqOffset: String(offset) };
}

/** What a flawless run records for the four plans. */
function flawless(): VerdictInput {
  return {
    plans,
    ladderLength,
    judgeKeyStrictOrder: false,
    invocations: [
      call('r1', 0, 'succeeded'),
      call('r2', 0, 'retryable-failure'),
      call('r2', 1, 'retryable-failure'),
      call('r2', 2, 'succeeded'),
      call('r3', 0, 'retryable-failure'),
      call('r3', 1, 'retryable-failure'),
      call('r3', 2, 'retryable-failure'),
      call('r3', 3, 'retryable-failure'),
      call('r4', 0, 'non-retryable-failure'),
    ],
    sends: new Map(plans.map((plan) => [plan.id, 1])),
    archive: [
      archived('r3', 'retries-exhausted', 4, 1),
      archived('r4', 'non-retryable-error', 1, 2),
    ],
    services: healthy,
  };
}

const failing = (input: VerdictInput): string[] =>
  judge(input)
    .checks.filter((check) => !check.passed)
    .map((check) => check.name);

describe('chaos verdict', () => {
  it('passes a flawless run, with no duplicates and the lateness of its redeliveries', () => {
    const verdict = judge(flawless());
    expect(failing(flawless())).to.deep.equal([]);
    expect(verdict.passed).to.equal(true);
    expect(verdict.lost).to.equal(0);
    expect(verdict.measures).to.deep.include({
      invocations: 9,
      plannedInvocations: 9,
      duplicateInvocations: 0,
      duplicateRate: 0,
      redeliveries: 5,
    });
    expect(verdict.measures.lateness).to.deep.equal({ p50: 1_000, p99: 1_000, max: 1_000 });
  });

  it('counts an id neither succeeded nor archived as lost, and fails', () => {
    const input = flawless();
    const withoutSuccess = {
      ...input,
      invocations: input.invocations.filter((c) => !(c.recordId === 'r1')),
      archive: input.archive.filter((entry) => entry.recordId !== 'r3'),
    };
    const verdict = judge(withoutSuccess);
    expect(verdict.passed).to.equal(false);
    expect(verdict.lost).to.equal(2);
    expect(verdict.checks[0]).to.deep.include({
      passed: false,
      detail: 'failing: 2 (r1, r3)',
    });
  });

  it('fails an id archived twice, or archived but planned to succeed, or unknown to the plan', () => {
    const input = flawless();
    expect(
      failing({ ...input, archive: [...input.archive, archived('r3', 'retries-exhausted', 4, 9)] }),
    ).to.deep.equal(['every poison, non-retryable and crashing id archived exactly once']);
    expect(
      failing({ ...input, archive: [...input.archive, archived('r1', 'retries-exhausted', 4, 9)] }),
    ).to.deep.equal(['nothing archived that should succeed, nothing unknown']);
    expect(
      failing({
        ...input,
        archive: [...input.archive, archived(null, 'malformed-retry-headers', 0)],
      }),
    ).to.deep.equal(['nothing archived that should succeed, nothing unknown']);
  });

  it('passes a slow id that succeeded on its second try and a crashing id archived as handler-crashed', () => {
    const slow = plan('r5', 'slow', 1);
    const crashing = plan('r6', 'crashing', 0);
    const input = flawless();
    const withBoth: VerdictInput = {
      ...input,
      plans: [...plans, slow, crashing],
      invocations: [
        ...input.invocations,
        call('r5', 0, 'outlasts-timeout'),
        call('r5', 1, 'succeeded'),
        // Called once per crash, always on its first try: the first crash, then two counted.
        ...[1, 2, 3].map(() => call('r6', 0, 'crashes-process')),
      ],
      sends: new Map([...input.sends, ['r5', 1], ['r6', 1]]),
      archive: [...input.archive, archived('r6', 'handler-crashed', null, 7)],
    };
    expect(failing(withBoth)).to.deep.equal([]);
    expect(judge(withBoth).measures.duplicateInvocations).to.equal(0);
    expect(
      failing({
        ...withBoth,
        archive: [...input.archive, archived('r6', 'retries-exhausted', null, 7)],
      }),
    ).to.deep.equal(['crashing archived: handler-crashed, no try_count']);
    expect(failing({ ...withBoth, archive: input.archive })).to.include(
      'lost records (neither succeeded nor archived): 0',
    );
  });

  it('allows a second archived copy of an id only when it was sent twice', () => {
    const input = flawless();
    const twice = [...input.archive, archived('r3', 'retries-exhausted', 4, 9)];
    const sends = new Map(input.sends).set('r3', 2);
    expect(failing({ ...input, archive: twice, sends })).to.deep.equal([]);
  });

  it('checks the reason and try_count of poison and non-retryable ids', () => {
    const input = flawless();
    expect(
      failing({
        ...input,
        archive: [
          archived('r3', 'retries-exhausted', 3, 1),
          archived('r4', 'retries-exhausted', 1, 2),
        ],
      }),
    ).to.deep.equal([
      'poison archived: retries-exhausted, try_count 4',
      'non-retryable archived: non-retryable-error, try_count 1',
    ]);
  });

  it('fails a flaky id that succeeded on another try than planned, or skipped or overran a try', () => {
    const input = flawless();
    const early = input.invocations.filter((c) => !(c.recordId === 'r2' && c.tryCount === 2));
    expect(
      failing({ ...input, invocations: [...early, call('r2', 1, 'succeeded')] }),
    ).to.deep.equal([
      'ok, flaky and slow ids succeeded on their planned try',
      'every planned try made, none beyond',
    ]);
    const skipped = input.invocations.filter((c) => !(c.recordId === 'r3' && c.tryCount === 2));
    expect(failing({ ...input, invocations: skipped })).to.deep.equal([
      'every planned try made, none beyond',
    ]);
    expect(
      failing({
        ...input,
        invocations: [...input.invocations, call('r4', 1, 'non-retryable-failure')],
      }),
    ).to.deep.equal(['every planned try made, none beyond']);
  });

  it('counts duplicate calls beyond the plan as a rate, without failing', () => {
    const input = flawless();
    const duplicates = [call('r1', 0, 'succeeded'), call('r3', 2, 'retryable-failure')];
    const verdict = judge({ ...input, invocations: [...input.invocations, ...duplicates] });
    expect(verdict.passed).to.equal(true);
    expect(verdict.measures.duplicateInvocations).to.equal(2);
    expect(verdict.measures.duplicateRate).to.be.closeTo(2 / 9, 1e-9);
  });

  it('fails a redelivery made before its due time', () => {
    const input = flawless();
    const early = call('r2', 1, 'retryable-failure');
    const invocations = [...input.invocations, { ...early, dueAt: early.invokedAt + 1 }];
    expect(failing({ ...input, invocations })).to.deep.equal(['no redelivery before its due time']);
  });

  it('fails when an instance is not healthy at the end or did not stop cleanly', () => {
    const input = flawless();
    expect(
      failing({
        ...input,
        services: {
          instances: 8,
          notHealthyAtEnd: ['delay-retry-8s-1'],
          uncleanStops: ['main-1 (exit 1)'],
        },
      }),
    ).to.deep.equal([
      'no service crash-looping: every instance running and ready at the end',
      'every instance stopped cleanly (exit 0) on the final SIGTERM',
    ]);
  });

  it('fails when a key’s later record was first handled before its earlier one', () => {
    const input = flawless();
    const first = call('r5', 0, 'succeeded', { key: 'shared', offset: '7', originalOffset: '7' });
    const second = call('r6', 0, 'succeeded', { key: 'shared', offset: '5', originalOffset: '5' });
    const withBoth: VerdictInput = {
      ...input,
      plans: [...plans, plan('r5', 'ok', 0), plan('r6', 'ok', 0)],
      invocations: [...input.invocations, first, second],
      sends: new Map([...input.sends, ['r5', 1], ['r6', 1]]),
    };
    expect(failing(withBoth)).to.deep.equal([
      'first attempts of every key handled in offset order',
      'first attempts of every key handled one at a time',
    ]);
    const [order, overlap] = judge(withBoth).checks.filter((item) => !item.passed);
    expect(order?.detail).to.equal('failing: 1 (shared p0: 7 before 5)');
    expect(overlap?.detail).to.equal('failing: 1 (shared p0: 7 while 5 ran)');
  });

  it('reports lateness percentiles over every redelivery', () => {
    const input = flawless();
    const invocations = input.invocations.map((c, index) =>
      c.dueAt === null ? c : { ...c, dueAt: c.invokedAt - (index + 1) * 100 },
    );
    const { lateness } = judge({ ...input, invocations }).measures;
    expect(lateness).to.deep.equal({ p50: 600, p99: 800, max: 800 });
  });

  it('judges the key-strict order only when asked, and always reports it', () => {
    const input = flawless();
    // r5 fails and goes to a tier; r6 of the same key succeeds before r5's retry does.
    const shared = { key: 'shared' };
    const withKey: VerdictInput = {
      ...input,
      plans: [...plans, { ...plan('r5', 'flaky', 1), key: 'shared' }, plan('r6', 'ok', 0)],
      invocations: [
        ...input.invocations,
        call('r5', 0, 'retryable-failure', shared),
        call('r6', 0, 'succeeded', shared),
        call('r5', 1, 'succeeded', shared),
      ],
      sends: new Map([...input.sends, ['r5', 1], ['r6', 1]]),
    };
    const reported = judge(withKey);
    expect(reported.passed).to.equal(true);
    expect(reported.measures.keyStrictOrder).to.deep.equal({ violations: 1, blockers: 1 });
    expect(judge({ ...input, judgeKeyStrictOrder: true }).passed).to.equal(true);
    const judged = judge({ ...withKey, judgeKeyStrictOrder: true });
    expect(judged.checks.filter((item) => !item.passed).map((item) => item.detail)).to.deep.equal([
      'failing: 1 (shared p0: 6 succeeded before 5)',
    ]);
  });
});
