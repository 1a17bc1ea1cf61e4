import { expect } from 'chai';
import { checkTopicName, compileTopicPatterns } from '@ricochet/core';
import { isLegalTopicName, maxTopicNameLength } from '@ricochet/core/internal';
import { expectConfigError } from './helpers.js';

// The one rule for topic names: the retry contract's header check, every topic setting and the
// allowed-topics patterns all read it.
const legal = ['orders', 'orders.eu-1', 'ORDERS_v2', 'a', 'x'.repeat(maxTopicNameLength), '...'];
const illegal = ['', '.', '..', 'has space', 'a/b', 'orders:1', 'tópico', 'x'.repeat(250), ' '];

describe('isLegalTopicName', () => {
  for (const name of legal) {
    it(`accepts ${JSON.stringify(name.length > 20 ? `${name.length} characters` : name)}`, () => {
      expect(isLegalTopicName(name)).to.equal(true);
    });
  }

  for (const name of illegal) {
    it(`refuses ${JSON.stringify(name.length > 20 ? `${name.length} characters` : name)}`, () => {
      expect(isLegalTopicName(name)).to.equal(false);
    });
  }

  it("accepts Kafka's internal topics, which a broker does have", () => {
    expect(isLegalTopicName('__consumer_offsets')).to.equal(true);
  });
});

describe('checkTopicName', () => {
  it('returns a legal name', () => {
    for (const name of legal) {
      expect(checkTopicName(name, 'topic')).to.equal(name);
    }
  });

  it('refuses an illegal name, naming the field and saying why', () => {
    expect(expectConfigError(() => checkTopicName('', '--dlq')).message).to.equal(
      '--dlq: a topic name cannot be empty',
    );
    expect(expectConfigError(() => checkTopicName('..', '--dlq')).message).to.match(
      /^--dlq: "\.\." is not allowed/,
    );
    expect(expectConfigError(() => checkTopicName('x'.repeat(250), '--dlq')).message).to.match(
      /250 characters; Kafka allows at most 249$/,
    );
    expect(expectConfigError(() => checkTopicName('a/b', '--dlq')).message).to.match(
      /^--dlq: "a\/b" is not a valid topic name; use only letters, digits/,
    );
    for (const name of illegal) {
      expect(expectConfigError(() => checkTopicName(name, 'topics')).field).to.equal('topics');
    }
  });

  it("refuses Kafka's internal topics", () => {
    expect(expectConfigError(() => checkTopicName('__consumer_offsets', 'topic')).message).to.match(
      /begins with "__"/,
    );
  });
});

describe('topic patterns follow the topic-name rule', () => {
  it('accepts the characters of a topic name, plus *', () => {
    expect(compileTopicPatterns(['orders.*', 'a_b-c.D9', '*'], 'allowed').patterns).to.have.length(
      3,
    );
  });

  it('refuses what no topic name has', () => {
    for (const pattern of ['has space', 'a/b', 'tópico', 'a:b']) {
      expect(expectConfigError(() => compileTopicPatterns([pattern], 'allowed')).field).to.equal(
        'allowed',
      );
    }
  });
});
