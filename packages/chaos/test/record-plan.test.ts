import { expect } from 'chai';
import {
  decodePlan,
  encodePlan,
  plannedOutcome,
  plannedTries,
  planRecords,
  seededRandom,
  type RecordPlan,
} from '@ricochet/chaos';

const shares = {
  flakyPercent: 10,
  poisonPercent: 1,
  nonRetryablePercent: 1,
  slowPercent: 0.5,
  crashingPercent: 0.1,
};

describe('chaos record plan', () => {
  it('gives exact shares at seeded ids, the same for the same seed', () => {
    const plans = planRecords(3_000, shares, 3, seededRandom(11));
    const count = (kind: RecordPlan['kind']) => plans.filter((plan) => plan.kind === kind).length;
    expect([
      count('flaky'),
      count('poison'),
      count('non-retryable'),
      count('slow'),
      count('crashing'),
    ]).to.deep.equal([300, 30, 30, 15, 3]);
    expect(count('ok')).to.equal(2_622);
    expect(
      plans.filter((plan) => plan.kind === 'slow').every((plan) => plan.failures === 1),
    ).to.equal(true);
    expect(new Set(plans.map((plan) => plan.id)).size).to.equal(3_000);
    expect(
      plans
        .filter((plan) => plan.kind === 'flaky')
        .every((plan) => plan.failures >= 1 && plan.failures <= 3),
    ).to.equal(true);
    expect(planRecords(3_000, shares, 3, seededRandom(11))).to.deep.equal(plans);
    expect(planRecords(3_000, shares, 3, seededRandom(12))).not.to.deep.equal(plans);
  });

  it('decides each try from the plan alone', () => {
    const flaky: RecordPlan = { id: 'r1', kind: 'flaky', failures: 2 };
    expect([0, 1, 2].map((tryCount) => plannedOutcome(flaky, tryCount))).to.deep.equal([
      'retryable-failure',
      'retryable-failure',
      'succeeded',
    ]);
    expect(plannedOutcome({ id: 'r2', kind: 'poison', failures: 0 }, 3)).to.equal(
      'retryable-failure',
    );
    expect(plannedOutcome({ id: 'r3', kind: 'non-retryable', failures: 0 }, 0)).to.equal(
      'non-retryable-failure',
    );
    const slow: RecordPlan = { id: 'r4', kind: 'slow', failures: 1 };
    expect([0, 1].map((tryCount) => plannedOutcome(slow, tryCount))).to.deep.equal([
      'outlasts-timeout',
      'succeeded',
    ]);
    const crashing: RecordPlan = { id: 'r5', kind: 'crashing', failures: 0 };
    expect(plannedOutcome(crashing, 0)).to.equal('crashes-process');
    expect(plannedTries(slow, 3)).to.equal(2);
    expect(plannedTries(crashing, 3)).to.equal(1);
    expect(plannedTries(flaky, 3)).to.equal(3);
    expect(plannedTries({ id: 'r2', kind: 'poison', failures: 0 }, 3)).to.equal(4);
  });

  it('round-trips a plan through the record value and refuses anything else', () => {
    const plan: RecordPlan = { id: 'r0000007', kind: 'flaky', failures: 3 };
    expect(decodePlan(encodePlan(plan))).to.deep.equal(plan);
    for (const value of [
      null,
      Buffer.from('not json'),
      Buffer.from('{"id":"x","kind":"odd","failures":0}'),
      Buffer.from('[]'),
    ]) {
      expect(decodePlan(value)).to.equal(undefined);
    }
  });
});
