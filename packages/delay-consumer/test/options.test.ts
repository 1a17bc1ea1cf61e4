import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { compileDelayConsumerOptions, type DelayConsumerOptions } from '@ricochet/delay-consumer';
import { testLogger } from '@ricochet/testing';

const base: DelayConsumerOptions = { brokers: ['k:1'], tier: '5s', logger: testLogger('options') };

describe('delay consumer options', () => {
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
  ] as const) {
    it(`refuses ${JSON.stringify(options)}, naming ${field}`, () => {
      expect(() => compileDelayConsumerOptions({ ...base, ...options }))
        .to.throw(ConfigError)
        .with.property('field', field);
    });
  }
});
