import { expect } from 'chai';
import { failureKind } from '@ricochet/chaos';

class ProtocolError extends Error {
  readonly type: string;
  constructor(type: string) {
    super(`the broker said ${type}`);
    this.name = 'KafkaJSProtocolError';
    this.type = type;
  }
}

describe('failureKind', () => {
  it('names the broker’s error code found anywhere in the chain of causes', () => {
    const retries = new Error('retries exhausted', {
      cause: new ProtocolError('NOT_ENOUGH_REPLICAS'),
    });
    expect(failureKind(new Error('publishing failed', { cause: retries }))).to.equal(
      'NOT_ENOUGH_REPLICAS',
    );
  });

  it('names the innermost error when no cause carries a code', () => {
    const refused = new Error('connect ECONNREFUSED');
    refused.name = 'KafkaJSConnectionError';
    expect(failureKind(new Error('publishing failed', { cause: refused }))).to.equal(
      'KafkaJSConnectionError',
    );
    expect(failureKind('text')).to.equal('string');
  });
});
