import { expect } from 'chai';
import {
  decodePlan,
  encodePlan,
  plannedOutcome,
  plannedTries,
  planRecords,
  seededRandom,
  type RecordPlan,
  type TrafficShape,
} from '@ricochet/chaos';

const shape: TrafficShape = {
  shares: {
    flakyPercent: 10,
    poisonPercent: 1,
    nonRetryablePercent: 1,
    slowPercent: 0.5,
    crashingPercent: 0.1,
  },
  maxFlakyFailures: 3,
  keys: 50,
  maxHandlerLatencyMilliseconds: 50,
};

/** A plan with the fields that do not matter to the test filled in. */
const plan = (id: string, kind: RecordPlan['kind'], failures: number): RecordPlan => ({
  id,
  key: 'k0001',
  kind,
  failures,
  latencyMilliseconds: 0,
});

describe('chaos record plan', () => {
  it('gives exact shares at seeded ids, the same for the same seed', () => {
    const plans = planRecords(3_000, shape, seededRandom(11));
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
    expect(planRecords(3_000, shape, seededRandom(11))).to.deep.equal(plans);
    expect(
      plans.every((plan) => plan.latencyMilliseconds >= 0 && plan.latencyMilliseconds <= 50),
    ).to.equal(true);
    expect(new Set(plans.map((plan) => plan.latencyMilliseconds)).size).to.be.greaterThan(40);
    expect(planRecords(3_000, shape, seededRandom(12))).not.to.deep.equal(plans);
  });

  it('shares each key among several records, interleaved with other keys', () => {
    const plans = planRecords(3_000, shape, seededRandom(11));
    const perKey = new Map<string, number>();
    plans.forEach((plan) => perKey.set(plan.key, (perKey.get(plan.key) ?? 0) + 1));
    expect(perKey.size).to.equal(50);
    expect(Math.min(...perKey.values())).to.be.greaterThan(30);
    // Consecutive records mostly differ in key: a key's records are spread over the run.
    const sameAsNext = plans.filter((plan, index) => plan.key === plans[index + 1]?.key).length;
    expect(sameAsNext).to.be.lessThan(150);
  });

  it('decides each try from the plan alone', () => {
    const flaky: RecordPlan = plan('r1', 'flaky', 2);
    expect([0, 1, 2].map((tryCount) => plannedOutcome(flaky, tryCount))).to.deep.equal([
      'retryable-failure',
      'retryable-failure',
      'succeeded',
    ]);
    expect(plannedOutcome(plan('r2', 'poison', 0), 3)).to.equal('retryable-failure');
    expect(plannedOutcome(plan('r3', 'non-retryable', 0), 0)).to.equal('non-retryable-failure');
    const slow: RecordPlan = plan('r4', 'slow', 1);
    expect([0, 1].map((tryCount) => plannedOutcome(slow, tryCount))).to.deep.equal([
      'outlasts-timeout',
      'succeeded',
    ]);
    const crashing: RecordPlan = plan('r5', 'crashing', 0);
    expect(plannedOutcome(crashing, 0)).to.equal('crashes-process');
    expect(plannedTries(slow, 3)).to.equal(2);
    expect(plannedTries(crashing, 3)).to.equal(1);
    expect(plannedTries(flaky, 3)).to.equal(3);
    expect(plannedTries(plan('r2', 'poison', 0), 3)).to.equal(4);
  });

  it('round-trips a plan through the record value and refuses anything else', () => {
    const flaky: RecordPlan = {
      id: 'r0000007',
      key: 'k0042',
      kind: 'flaky',
      failures: 3,
      latencyMilliseconds: 17,
    };
    expect(decodePlan(encodePlan(flaky))).to.deep.equal(flaky);
    for (const value of [
      null,
      Buffer.from('not json'),
      Buffer.from('{"id":"x","key":"k","kind":"odd","failures":0,"latencyMilliseconds":0}'),
      Buffer.from('{"id":"x","kind":"ok","failures":0,"latencyMilliseconds":0}'),
      Buffer.from('{"id":"x","key":"k","kind":"ok","failures":0,"latencyMilliseconds":-1}'),
      Buffer.from('[]'),
    ]) {
      expect(decodePlan(value)).to.equal(undefined);
    }
  });
});
