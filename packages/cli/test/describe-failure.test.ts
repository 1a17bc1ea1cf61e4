import { expect } from 'chai';
import { BrokerAuthorizationError } from '@ricochet/kafka/errors';
import { describeFailure, ExitCode, exitCodeFor } from '../src/exit-codes.js';

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

describe('exitCodeFor', () => {
  it('gives 2 for a broker refusal however deep it is wrapped, and 1 for other failures', () => {
    const refusal = new BrokerAuthorizationError('Read on group billing');
    const started = new Error('main consumer failed to start', { cause: refusal });
    expect(exitCodeFor(refusal)).to.equal(ExitCode.usage);
    expect(exitCodeFor(started)).to.equal(ExitCode.usage);
    expect(exitCodeFor(new Error('failed to start', { cause: new Error('timeout') }))).to.equal(
      ExitCode.failure,
    );
  });
});
