import { expect } from 'chai';
import { describeFailure } from '../src/exit-codes.js';

describe('describeFailure', () => {
  it('prints the error and each cause on its own line, once', () => {
    const inner = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const retried = new Error('connect ECONNREFUSED 127.0.0.1:1', { cause: inner });
    const outer = new Error('cannot reach Kafka at 127.0.0.1:1', { cause: retried });
    expect(describeFailure(outer)).to.equal(
      'error: cannot reach Kafka at 127.0.0.1:1\n  caused by: connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
