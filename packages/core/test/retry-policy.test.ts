import { expect } from 'chai';
import {
  NonRetryableError,
  classifyError,
  describeError,
  parseTierLadder,
  readRetryContract,
  routeFailure,
  writeRetryContract,
  type Failure,
  type FailureRoute,
  type RecordPosition,
  type RetryContract,
} from '@ricochet/core';
import { originalPosition, sampleContract } from './helpers.js';

const ladder = parseTierLadder('5s,1m,10m');
const t0 = 1_700_000_000_000;
const timeout = describeError(new Error('timeout'));

function failure(overrides: Partial<Failure> = {}): Failure {
  return {
    previous: undefined,
    consumedAt: originalPosition,
    retryGroup: 'billing',
    error: timeout,
    verdict: 'retryable',
    failedAt: t0,
    ...overrides,
  };
}

/** Where a redelivered record is consumed: the tier topic, not the original one. */
const tierPosition = { topic: 'retry-5s', partition: 0, offset: '7', timestamp: t0 + 10 };

function expectRetry(route: FailureRoute): Extract<FailureRoute, { kind: 'retry' }> {
  if (route.kind !== 'retry') {
    expect.fail(`expected a retry, got a dead letter for ${route.reason}`);
  }
  return route;
}

function expectDeadLetter(route: FailureRoute): Extract<FailureRoute, { kind: 'dead-letter' }> {
  if (route.kind !== 'dead-letter') {
    expect.fail(`expected a dead letter, got a retry to ${route.tier.topic}`);
  }
  return route;
}

describe('routeFailure', () => {
  it('sends the first failure to the first tier', () => {
    const route = expectRetry(routeFailure(ladder, failure()));
    expect(route.tier).to.equal(ladder[0]);
    expect(route.contract).to.deep.equal({
      tryCount: 1,
      original: originalPosition,
      retryGroup: 'billing',
      dueAt: t0 + 5_000,
      error: timeout,
      firstFailureAt: t0,
      lastFailureAt: t0,
    });
  });

  it('sends the second failure to the second tier, keeping the original position and first failure time', () => {
    const previous = sampleContract({ tryCount: 1, firstFailureAt: t0, lastFailureAt: t0 });
    const failedAt = t0 + 6_000;
    const error = describeError(new Error('still down'));
    const route = expectRetry(
      routeFailure(ladder, failure({ previous, consumedAt: tierPosition, failedAt, error })),
    );
    expect(route.tier).to.equal(ladder[1]);
    expect(route.contract).to.deep.equal({
      tryCount: 2,
      original: previous.original,
      retryGroup: 'billing',
      dueAt: failedAt + 60_000,
      error,
      firstFailureAt: t0,
      lastFailureAt: failedAt,
    });
  });

  it('sends the third failure to the third tier', () => {
    const previous = sampleContract({ tryCount: 2, firstFailureAt: t0 });
    const failedAt = t0 + 70_000;
    const route = expectRetry(
      routeFailure(ladder, failure({ previous, consumedAt: tierPosition, failedAt })),
    );
    expect(route.tier.topic).to.equal('retry-10m');
    expect(route.contract.tryCount).to.equal(3);
    expect(route.contract.dueAt).to.equal(failedAt + 600_000);
    expect(route.contract.original).to.deep.equal(originalPosition);
    expect(route.contract.firstFailureAt).to.equal(t0);
  });

  it('dead-letters the failure after the last tier as retries-exhausted', () => {
    const previous = sampleContract({ tryCount: 3, firstFailureAt: t0 });
    const failedAt = t0 + 700_000;
    const route = expectDeadLetter(
      routeFailure(ladder, failure({ previous, consumedAt: tierPosition, failedAt })),
    );
    expect(route.reason).to.equal('retries-exhausted');
    expect(route.contract).to.deep.equal({
      tryCount: 4,
      original: originalPosition,
      retryGroup: 'billing',
      dueAt: failedAt,
      error: timeout,
      firstFailureAt: t0,
      lastFailureAt: failedAt,
    });
  });

  it('dead-letters a record whose try count is already beyond a shortened ladder', () => {
    const previous = sampleContract({ tryCount: 7 });
    const route = expectDeadLetter(routeFailure(parseTierLadder('5s'), failure({ previous })));
    expect(route.reason).to.equal('retries-exhausted');
    expect(route.contract.tryCount).to.equal(8);
  });

  it('dead-letters a NonRetryableError on its first failure as non-retryable-error with try count 1', () => {
    const error = new NonRetryableError('bad payload');
    const route = expectDeadLetter(
      routeFailure(ladder, failure({ error: describeError(error), verdict: classifyError(error) })),
    );
    expect(route.reason).to.equal('non-retryable-error');
    expect(route.contract.tryCount).to.equal(1);
    expect(route.contract.dueAt).to.equal(t0);
    expect(route.contract.original).to.deep.equal(originalPosition);
    expect(route.contract.firstFailureAt).to.equal(t0);
    expect(route.contract.lastFailureAt).to.equal(t0);
    expect(route.contract.error.className).to.equal('NonRetryableError');
    expect(route.contract.error.message).to.equal('bad payload');
  });

  it('dead-letters a non-retryable failure on a later try, keeping the original position', () => {
    const previous = sampleContract({ tryCount: 1, firstFailureAt: t0 });
    const failedAt = t0 + 5_500;
    const route = expectDeadLetter(
      routeFailure(
        ladder,
        failure({ previous, consumedAt: tierPosition, failedAt, verdict: 'non-retryable' }),
      ),
    );
    expect(route.reason).to.equal('non-retryable-error');
    expect(route.contract.tryCount).to.equal(2);
    expect(route.contract.original).to.deep.equal(previous.original);
    expect(route.contract.firstFailureAt).to.equal(t0);
    expect(route.contract.lastFailureAt).to.equal(failedAt);
  });

  it('carries the redelivery topic of this failure, not the previous one (none: the original topic)', () => {
    const redeliverTo = 'ricochet.billing.redelivery';
    const first = expectRetry(routeFailure(ladder, failure({ redeliverTo })));
    expect(first.contract.redeliverTo).to.equal(redeliverTo);
    const second = expectRetry(routeFailure(ladder, failure({ previous: first.contract })));
    expect(second.contract).not.to.have.property('redeliverTo');
    const again = routeFailure(ladder, failure({ previous: first.contract, redeliverTo }));
    expect(readRetryContract(writeRetryContract(again.contract))).to.deep.equal({
      ok: true,
      contract: again.contract,
    });
  });

  it('records the retry group and error of this failure, not the previous one', () => {
    const previous = sampleContract({ retryGroup: 'old-group' });
    const error = describeError(new TypeError('new failure'));
    const route = routeFailure(ladder, failure({ previous, retryGroup: 'billing', error }));
    expect(route.contract.retryGroup).to.equal('billing');
    expect(route.contract.error).to.deep.equal(error);
  });

  it('does not change the previous contract', () => {
    const previous = sampleContract();
    const copy = structuredClone(previous);
    routeFailure(ladder, failure({ previous, failedAt: t0 + 99 }));
    expect(previous).to.deep.equal(copy);
  });

  it('walks a record through every tier and into the dead-letter topic over the wire', () => {
    let previous: RetryContract | undefined;
    let consumedAt: RecordPosition & { timestamp: number } = originalPosition;
    let failedAt = t0;
    const topics: string[] = [];
    for (let attempt = 1; attempt <= ladder.length + 1; attempt += 1) {
      const route = routeFailure(ladder, failure({ previous, consumedAt, failedAt }));
      expect(route.contract.tryCount).to.equal(attempt);
      expect(route.contract.original).to.deep.equal(originalPosition);
      expect(route.contract.firstFailureAt).to.equal(t0);
      if (route.kind === 'dead-letter') {
        topics.push(`dead-letter:${route.reason}`);
        break;
      }
      topics.push(route.tier.topic);
      // The record travels through Kafka: headers are written, then read back as bytes.
      const headers = Object.fromEntries(
        Object.entries(writeRetryContract(route.contract)).map(([k, v]) => [k, Buffer.from(v)]),
      );
      const reading = readRetryContract(headers);
      if (!reading.ok) {
        expect.fail(JSON.stringify(reading.problems));
      }
      previous = reading.contract;
      consumedAt = { topic: route.tier.topic, partition: 0, offset: String(attempt), timestamp: 0 };
      failedAt = route.contract.dueAt + 100;
    }
    expect(topics).to.deep.equal([
      'retry-5s',
      'retry-1m',
      'retry-10m',
      'dead-letter:retries-exhausted',
    ]);
  });
});
