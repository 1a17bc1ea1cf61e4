import { expect } from 'chai';
import { ConfigError, NonRetryableError, RicochetError } from '@ricochet/core';

describe('errors', () => {
  describe('RicochetError', () => {
    it('carries its code, message and name, and is not retriable by default', () => {
      const error = new RicochetError('broker unreachable', { code: 'BROKER_DOWN' });
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.equal('broker unreachable');
      expect(error.code).to.equal('BROKER_DOWN');
      expect(error.retriable).to.equal(false);
      expect(error.name).to.equal('RicochetError');
      expect(error).not.to.have.property('cause');
    });

    it('keeps the retriable flag and the cause it wraps', () => {
      const cause = new Error('ECONNREFUSED');
      const error = new RicochetError('broker unreachable', {
        code: 'BROKER_DOWN',
        retriable: true,
        cause,
      });
      expect(error.retriable).to.equal(true);
      expect(error.cause).to.equal(cause);
    });

    it('names a subclass after the subclass', () => {
      class TopicMissingError extends RicochetError {
        constructor() {
          super('topic missing', { code: 'TOPIC_MISSING' });
        }
      }
      const error = new TopicMissingError();
      expect(error.name).to.equal('TopicMissingError');
      expect(error).to.be.instanceOf(RicochetError);
      expect(error.stack).to.be.a('string').that.includes('topic missing');
    });
  });

  describe('NonRetryableError', () => {
    it('is a non-retriable RicochetError with code NON_RETRYABLE', () => {
      const error = new NonRetryableError('bad payload');
      expect(error).to.be.instanceOf(RicochetError);
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal('NonRetryableError');
      expect(error.code).to.equal('NON_RETRYABLE');
      expect(error.retriable).to.equal(false);
      expect(error.message).to.equal('bad payload');
      expect(error).not.to.have.property('cause');
    });

    it('wraps a cause', () => {
      const cause = new SyntaxError('Unexpected token');
      expect(new NonRetryableError('bad json', { cause }).cause).to.equal(cause);
    });
  });

  describe('ConfigError', () => {
    it('names the field in its message and keeps it as a property', () => {
      const error = new ConfigError('tiers', 'the ladder is empty');
      expect(error).to.be.instanceOf(RicochetError);
      expect(error.name).to.equal('ConfigError');
      expect(error.code).to.equal('INVALID_CONFIG');
      expect(error.retriable).to.equal(false);
      expect(error.field).to.equal('tiers');
      expect(error.message).to.equal('tiers: the ladder is empty');
    });

    it('wraps a cause', () => {
      const cause = new Error('EACCES');
      expect(new ConfigError('config', 'unreadable', { cause }).cause).to.equal(cause);
    });
  });
});
