import { expect } from 'chai';
import { writeRetryContract, type ConsumedRecord } from '@ricochet/core';
import {
  inspectTierRecord,
  isInternalTopic,
  redeliveryTarget,
} from '@ricochet/delay-consumer/internal';
import { testRetryContract } from '@ricochet/testing';

const now = 1_800_000_000_000;
const limits = { now, tierDelayMilliseconds: 5_000, maxClockSkewMilliseconds: 60_000 };

function tierRecord(dueAt: number): ConsumedRecord {
  return {
    topic: 'retry-5s',
    partition: 0,
    offset: '3',
    timestamp: String(now),
    key: null,
    value: Buffer.from('v'),
    headers: writeRetryContract({
      tryCount: 1,
      original: { topic: 'orders', partition: 2, offset: '41', timestamp: now - 10 },
      retryGroup: 'billing',
      dueAt,
      error: { className: 'Error', message: 'boom', stack: '' },
      firstFailureAt: now - 5,
      lastFailureAt: now - 5,
    }),
  };
}

describe('inspectTierRecord', () => {
  it('holds a record whose due-at is ahead', () => {
    expect(inspectTierRecord(tierRecord(now + 4_000), limits)).to.deep.include({
      kind: 'hold',
      dueAt: now + 4_000,
    });
  });

  it('releases a record exactly at its due-at, never a millisecond before', () => {
    expect(inspectTierRecord(tierRecord(now), limits).kind).to.equal('due');
    expect(inspectTierRecord(tierRecord(now + 1), limits).kind).to.equal('hold');
  });

  it('releases a record whose due-at is long past', () => {
    expect(inspectTierRecord(tierRecord(0), limits).kind).to.equal('due');
  });

  it('refuses a due-at beyond the tier delay plus clock skew', () => {
    const inspection = inspectTierRecord(tierRecord(now + 5_000 + 60_001), limits);
    expect(inspection).to.include({ kind: 'unroutable', reason: 'due-at-out-of-range' });
  });

  it('reports malformed headers with the problems named', () => {
    const record = {
      ...tierRecord(now),
      headers: { ...tierRecord(now).headers, 'due-at': 'later' },
    };
    const inspection = inspectTierRecord(record, limits);
    expect(inspection).to.include({ kind: 'unroutable', reason: 'malformed-retry-headers' });
    expect(inspection.kind === 'unroutable' && inspection.detail).to.contain('due-at');
  });
});

describe('isInternalTopic', () => {
  const ricochet = new Set(['retry-5s', 'dlq']);
  it('flags Kafka internal topics, Ricochet topics and any tier-shaped name', () => {
    expect(isInternalTopic('__consumer_offsets', ricochet)).to.equal(true);
    expect(isInternalTopic('dlq', ricochet)).to.equal(true);
    expect(isInternalTopic('retry-10m', ricochet)).to.equal(true);
    expect(isInternalTopic('orders', ricochet)).to.equal(false);
    expect(isInternalTopic('retry-orders', ricochet)).to.equal(false);
  });
});

describe('redeliveryTarget', () => {
  const contract = testRetryContract('orders', now, { retryGroup: 'billing' });

  it('sends a record without redeliver-to, or naming its original topic, to the original topic', () => {
    expect(redeliveryTarget(contract)).to.deep.equal({ kind: 'original', topic: 'orders' });
    expect(redeliveryTarget({ ...contract, redeliverTo: 'orders' })).to.deep.equal({
      kind: 'original',
      topic: 'orders',
    });
  });

  it("sends a record naming its retry group's redelivery topic there", () => {
    expect(
      redeliveryTarget({ ...contract, redeliverTo: 'ricochet.billing.redelivery' }),
    ).to.deep.equal({ kind: 'group', topic: 'ricochet.billing.redelivery' });
  });

  for (const redeliverTo of [
    'payments',
    'ricochet.shipping.redelivery',
    'ricochet.billing.waiting',
    'dlq',
    'retry-5s',
  ]) {
    it(`refuses redeliver-to ${redeliverTo}, naming both allowed topics`, () => {
      const target = redeliveryTarget({ ...contract, redeliverTo });
      expect(target.kind).to.equal('refused');
      expect(target.kind === 'refused' && target.detail)
        .to.include(redeliverTo)
        .and.to.include('original-topic orders')
        .and.to.include('ricochet.billing.redelivery');
    });
  }

  it('refuses any redeliver-to of a retry group that makes no legal topic name', () => {
    const target = redeliveryTarget({
      ...contract,
      retryGroup: 'has space',
      redeliverTo: 'ricochet.has space.redelivery',
    });
    expect(target.kind === 'refused' && target.detail).to.include('no legal topic name');
  });
});
