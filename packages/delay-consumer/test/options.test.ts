import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { compileDelayConsumerOptions, type DelayConsumerOptions } from '@ricochet/delay-consumer';
import { testLogger } from '@ricochet/testing';

const base: DelayConsumerOptions = { brokers: ['k:1'], tier: '5s', logger: testLogger('options') };

describe('delay consumer options', () => {
  it('allows every topic unless given allowed topics, then only those they match', () => {
    expect(compileDelayConsumerOptions(base).allowedTopics).to.equal(undefined);
    const allowed = compileDelayConsumerOptions({
      ...base,
      allowedTopics: ['orders.*'],
    }).allowedTopics!;
    expect(allowed.matches('orders.eu')).to.equal(true);
    expect(allowed.matches('payments-dlq')).to.equal(false);
  });

  it('reads ahead 2 s and at most 1 MiB per partition unless told otherwise', () => {
    expect(compileDelayConsumerOptions(base)).to.include({
      readAheadMilliseconds: 2_000,
      maxReadAheadBytes: 1_048_576,
    });
    expect(
      compileDelayConsumerOptions({ ...base, readAheadMilliseconds: 300, maxReadAheadBytes: 4096 }),
    ).to.include({ readAheadMilliseconds: 300, maxReadAheadBytes: 4096 });
  });

  for (const [field, options] of [
    ['readAheadMilliseconds', { readAheadMilliseconds: 0 }],
    ['readAheadMilliseconds', { readAheadMilliseconds: 1.5 }],
    ['maxReadAheadBytes', { maxReadAheadBytes: -1 }],
    ['sessionTimeoutMilliseconds', { sessionTimeoutMilliseconds: 1 }],
    ['sessionTimeoutMilliseconds', { sessionTimeoutMilliseconds: 3_600_000 }],
    ['tier', { tier: '25d' }],
    ['allowedTopics', { allowedTopics: [] }],
    ['allowedTopics', { allowedTopics: ['orders', 'pay ments'] }],
  ] as const) {
    it(`refuses ${JSON.stringify(options)}, naming ${field}`, () => {
      expect(() => compileDelayConsumerOptions({ ...base, ...options }))
        .to.throw(ConfigError)
        .with.property('field', field);
    });
  }
});
