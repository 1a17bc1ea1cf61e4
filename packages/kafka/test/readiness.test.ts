import { expect } from 'chai';
import { combineReadiness } from '@ricochet/kafka';
import { describeReadiness } from '@ricochet/kafka/internal';

describe('describeReadiness', () => {
  it('is ready only when running and assigned at least one partition', () => {
    expect(describeReadiness('running', { orders: [0, 2], payments: [] }, undefined)).to.deep.equal(
      { ready: true },
    );
  });

  it('is not ready, with a reason, in every other case', () => {
    const cases = [
      describeReadiness('created', undefined, undefined),
      describeReadiness('starting', undefined, undefined),
      describeReadiness('running', undefined, undefined),
      describeReadiness('running', { orders: [] }, undefined),
      describeReadiness('stopping', { orders: [0] }, undefined),
      describeReadiness('stopped', undefined, undefined),
      describeReadiness('failed', undefined, new TypeError('broker gone')),
    ];
    expect(cases.map((readiness) => readiness.ready)).to.deep.equal(cases.map(() => false));
    expect(cases.map((readiness) => readiness.reason)).to.deep.equal([
      'not started',
      'connecting and joining the consumer group',
      'rejoining the consumer group after a consumer crash',
      'in the consumer group but assigned no partitions (more instances than partitions?)',
      'stopping',
      'stopped',
      'failed: TypeError: broker gone',
    ]);
  });

  it('is not ready while running but unable to publish, saying since when', () => {
    expect(
      describeReadiness('running', { orders: [0] }, undefined, Date.UTC(2026, 0, 2, 3, 4, 5)),
    ).to.deep.equal({
      ready: false,
      reason: 'cannot publish since 2026-01-02T03:04:05.000Z',
    });
  });
});

describe('combineReadiness', () => {
  it('is ready only when every part is, and reports each part', () => {
    const parts = { 'retry-5s': { ready: true }, 'retry-1m': { ready: true } };
    expect(combineReadiness(parts)).to.deep.equal({ ready: true, parts });
  });

  it('names each part that is not ready, with its reason', () => {
    const parts = {
      'retry-5s': { ready: true },
      'retry-1m': { ready: false, reason: 'connecting and joining the consumer group' },
      'retry-10m': { ready: false, reason: 'stopping' },
    };
    expect(combineReadiness(parts)).to.deep.equal({
      ready: false,
      reason: 'retry-1m: connecting and joining the consumer group; retry-10m: stopping',
      parts,
    });
  });
});
