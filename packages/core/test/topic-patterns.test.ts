import { expect } from 'chai';
import { compileTopicPatterns } from '@ricochet/core';
import { expectConfigError } from './helpers.js';

describe('compileTopicPatterns', () => {
  it('matches whole names, with * for any run of characters and . only as a dot', () => {
    const allowed = compileTopicPatterns(['orders', 'shop.*', '*-events'], '--allowed-topics');
    for (const topic of ['orders', 'shop.payments', 'shop.', 'user-events', '-events']) {
      expect(allowed.matches(topic), topic).to.equal(true);
    }
    for (const topic of ['orders2', 'xorders', 'shopXpayments', 'shop', 'user-events.dlq']) {
      expect(allowed.matches(topic), topic).to.equal(false);
    }
    expect(allowed.patterns).to.deep.equal(['orders', 'shop.*', '*-events']);
  });

  it('refuses an empty list and characters no topic name has, naming the field', () => {
    expect(expectConfigError(() => compileTopicPatterns([], '--allowed-topics')).field).to.equal(
      '--allowed-topics',
    );
    for (const pattern of ['orders/*', 'orders?', '(a|b)', 'a b', '']) {
      const error = expectConfigError(() => compileTopicPatterns([pattern], 'allowedTopics'));
      expect(error.field, pattern).to.equal('allowedTopics');
    }
  });
});
