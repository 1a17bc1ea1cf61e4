import { expect } from 'chai';
import { writeRetryContract, type ConsumedRecord } from '@ricochet/core';
import { inspectTierRecord, isInternalTopic } from '@ricochet/delay-consumer/internal';

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
