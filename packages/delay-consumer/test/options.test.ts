import { expect } from 'chai';
import { ConfigError, defaultDeadLetterTopic } from '@ricochet/core';
import { type DelayConsumerOptions } from '@ricochet/delay-consumer';
import { compileDelayConsumerOptions } from '@ricochet/delay-consumer/internal';
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

  it('reads ahead 2 s and at most 32 MiB in all unless told otherwise', () => {
    expect(compileDelayConsumerOptions(base)).to.include({
      readAheadMilliseconds: 2_000,
      readAheadBytes: 33_554_432,
    });
    expect(
      compileDelayConsumerOptions({ ...base, readAheadMilliseconds: 300, readAheadBytes: 4096 }),
    ).to.include({ readAheadMilliseconds: 300, readAheadBytes: 4096 });
  });

  it('names its group after the tier and dead-letters to the default topic', () => {
    expect(compileDelayConsumerOptions(base)).to.include({
      groupId: 'ricochet-delay-retry-5s',
      dlqTopic: defaultDeadLetterTopic,
    });
  });

  for (const [oldName, newName] of [
    ['maxReadAheadBytes', 'readAheadBytes'],
    ['maxWaitTimeMilliseconds', 'maxWaitMilliseconds'],
  ] as const) {
    it(`refuses ${oldName}, the option's old name, naming ${newName}`, () => {
      // A JavaScript caller's old name would otherwise be dropped without a word.
      const options = { ...base, [oldName]: 10 } as DelayConsumerOptions;
      expect(() => compileDelayConsumerOptions(options))
        .to.throw(ConfigError, new RegExp(`^${oldName}: was renamed ${newName}`))
        .with.property('field', oldName);
    });
  }

  for (const [field, options] of [
    ['readAheadMilliseconds', { readAheadMilliseconds: 0 }],
    ['readAheadMilliseconds', { readAheadMilliseconds: 1.5 }],
    ['readAheadBytes', { readAheadBytes: -1 }],
    ['maxWaitMilliseconds', { maxWaitMilliseconds: 0 }],
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
