import { expect } from 'chai';
import {
  NonRetryableError,
  writeRetryContract,
  type ConsumedRecord,
  type OutgoingRecord,
} from '@ricochet/core';
import { type RecordHandler } from '@ricochet/main-consumer';
import { compileMainConsumerOptions, RecordProcessor } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';

function processorFor<TValue = Buffer | null>(
  handler: RecordHandler<TValue>,
  extra: {
    decode?: (value: Buffer | null) => TValue;
    classify?: (error: unknown) => 'retryable' | 'non-retryable' | undefined;
    handlerTimeoutMilliseconds?: number;
  } = {},
) {
  const published: OutgoingRecord[] = [];
  const options = compileMainConsumerOptions<TValue>({
    brokers: ['127.0.0.1:1'],
    groupId: 'billing',
    topics: ['orders'],
    tiers: '5s,1m',
    logger: testLogger('main'),
    handler,
    ...extra,
  });
  const processor = new RecordProcessor(
    options,
    async (record) => void published.push(record),
    testLogger('main'),
  );
  return { processor, published };
}

const record: ConsumedRecord = {
  topic: 'orders',
  partition: 1,
  offset: '10',
  timestamp: '1700000000000',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: { trace: 'abc' },
};

function retryOf(tryCount: number, retryGroup = 'billing'): ConsumedRecord {
  return {
    ...record,
    offset: '99',
    headers: {
      trace: 'abc',
      ...writeRetryContract({
        tryCount,
        original: { topic: 'orders', partition: 1, offset: '10', timestamp: 1_700_000_000_000 },
        retryGroup,
        dueAt: 1,
        error: { className: 'Error', message: 'x', stack: '' },
        firstFailureAt: 5,
        lastFailureAt: 6,
      }),
    },
  };
}

describe('RecordProcessor', () => {
  it('fails a call that does not settle within the handler timeout as a retryable HandlerTimeoutError, ignoring its late result', async () => {
    let rejectLate: (error: Error) => void = () => {};
    const { processor, published } = processorFor(
      () =>
        new Promise<void>((_resolve, reject) => {
          rejectLate = reject;
        }),
      // The user's classifier is not asked: a timeout is Ricochet's verdict.
      { handlerTimeoutMilliseconds: 20, classify: () => 'non-retryable' },
    );
    const processed = processor.process(record);
    processor.expireOverdue(performance.now());
    await new Promise((resolve) => setImmediate(resolve));
    expect(published, 'not yet overdue').to.have.length(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    processor.expireOverdue(performance.now());
    expect(await processed).to.deep.equal({
      kind: 'sent-to-tier',
      topic: 'retry-5s',
      tryCount: 1,
    });
    expect(published[0]!.headers['error-class']?.toString()).to.equal('HandlerTimeoutError');
    rejectLate(new Error('too late'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).to.have.length(1);
  });

  it('reports success without publishing', async () => {
    const { processor, published } = processorFor(() => {});
    expect(await processor.process(record)).to.deep.equal({ kind: 'succeeded', tryCount: 0 });
    expect(published).to.have.length(0);
  });

  it('hands a first failure to the first tier with the contract and the user headers', async () => {
    const { processor, published } = processorFor(() => {
      throw new TypeError('nope');
    });
    expect(await processor.process(record)).to.deep.equal({
      kind: 'sent-to-tier',
      topic: 'retry-5s',
      tryCount: 1,
    });
    const [sent] = published;
    expect(sent!.topic).to.equal('retry-5s');
    expect(sent!.key?.toString()).to.equal('k');
    expect(sent!.headers).to.include({
      trace: 'abc',
      try_count: '1',
      'original-topic': 'orders',
      'original-offset': '10',
      'retry-group': 'billing',
      'error-class': 'TypeError',
    });
  });

  it('keeps the original position across retries and dead-letters after the last tier', async () => {
    const { processor, published } = processorFor(() => {
      throw new Error('still failing');
    });
    expect(await processor.process(retryOf(2))).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'retries-exhausted',
      tryCount: 3,
    });
    expect(published[0]!.topic).to.equal('dlq');
    expect(published[0]!.headers).to.include({
      'original-offset': '10',
      'first-failure-at': '5',
      'dead-letter-reason': 'retries-exhausted',
    });
  });

  it('passes the try count and the contract to the handler, and only the user headers', async () => {
    let seen: unknown;
    const { processor } = processorFor((handled) => {
      seen = {
        tryCount: handled.tryCount,
        headers: handled.headers,
        original: handled.retry?.original.offset,
      };
    });
    await processor.process(retryOf(1));
    expect(seen).to.deep.equal({ tryCount: 1, headers: { trace: 'abc' }, original: '10' });
  });

  it('skips a redelivery meant for another group', async () => {
    let calls = 0;
    const { processor, published } = processorFor(() => void (calls += 1));
    expect(await processor.process(retryOf(1, 'shipping'))).to.deep.equal({
      kind: 'skipped-other-group',
      retryGroup: 'shipping',
    });
    expect(calls).to.equal(0);
    expect(published).to.have.length(0);
  });

  it('dead-letters NonRetryableError, classifier verdicts and decode failures at once', async () => {
    const nonRetryable = processorFor(() => {
      throw new NonRetryableError('bad');
    });
    expect((await nonRetryable.processor.process(record)).kind).to.equal('dead-lettered');
    const classified = processorFor(
      () => {
        throw new RangeError('bad');
      },
      { classify: (error) => (error instanceof RangeError ? 'non-retryable' : undefined) },
    );
    expect(await classified.processor.process(record)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'non-retryable-error',
      tryCount: 1,
    });
    const undecodable = processorFor(() => {}, {
      decode: () => {
        throw new SyntaxError('not JSON');
      },
    });
    expect(await undecodable.processor.process(record)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'decode-failed',
      tryCount: 1,
    });
  });

  it('retries a decode failure the decoder marks retriable (an unreachable registry) through the tiers', async () => {
    let calls = 0;
    const registryDown = Object.assign(new Error('registry unreachable'), { retriable: true });
    const { processor, published } = processorFor(() => void (calls += 1), {
      decode: () => {
        throw registryDown;
      },
    });
    expect(await processor.process(record)).to.deep.equal({
      kind: 'sent-to-tier',
      topic: 'retry-5s',
      tryCount: 1,
    });
    expect(await processor.process(retryOf(2))).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'retries-exhausted',
      tryCount: 3,
    });
    expect(published[1]!.headers).to.include({ 'error-message': 'registry unreachable' });
    expect(calls, 'the handler never sees an undecoded value').to.equal(0);
  });

  it('treats a throwing classifier as retryable rather than losing the record', async () => {
    const { processor } = processorFor(
      () => {
        throw new Error('x');
      },
      {
        classify: () => {
          throw new Error('classifier bug');
        },
      },
    );
    expect((await processor.process(record)).kind).to.equal('sent-to-tier');
  });

  it('dead-letters a redelivery with malformed retry headers, keeping every header', async () => {
    const { processor, published } = processorFor(() => {});
    const malformed = { ...retryOf(1), headers: { ...retryOf(1).headers, try_count: 'lots' } };
    expect(await processor.process(malformed)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'malformed-retry-headers',
      tryCount: 0,
    });
    expect(published[0]!.headers).to.include({ try_count: 'lots', trace: 'abc' });
  });

  it('dead-letters a source record whose own retry-group header collides with the reserved name, saying so', async () => {
    let calls = 0;
    const { processor, published } = processorFor(() => void (calls += 1));
    const colliding = { ...record, headers: { trace: 'abc', 'retry-group': 'billing-team' } };
    expect(await processor.process(colliding)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'malformed-retry-headers',
      tryCount: 0,
    });
    expect(calls).to.equal(0);
    expect(published[0]!.headers).to.include({ 'retry-group': 'billing-team', trace: 'abc' });
    expect(published[0]!.headers['dead-letter-detail'])
      .to.include('carries a retry-group header, which marks a redelivery')
      .and.include('reserved for Ricochet')
      .and.include('header try_count is missing');
  });

  it('does not count a record handed on when the publish fails', async () => {
    const options = compileMainConsumerOptions({
      brokers: ['b:1'],
      groupId: 'g',
      topics: ['t'],
      logger: testLogger('main'),
      handler: () => Promise.reject(new Error('x')),
    });
    const processor = new RecordProcessor(
      options,
      () => Promise.reject(new Error('broker down')),
      testLogger('main'),
    );
    let rejected: unknown;
    // A failure to hand on is always asynchronous: the publish is awaited.
    await Promise.resolve(processor.process({ ...record, topic: 't' })).catch(
      (error: unknown) => (rejected = error),
    );
    expect(rejected).to.be.instanceOf(Error);
  });
});

describe('compileMainConsumerOptions', () => {
  const base = {
    brokers: ['b:1'],
    groupId: 'g',
    topics: ['orders'],
    logger: testLogger('main'),
    handler: () => {},
  };
  it('names the bad field', () => {
    expect(() => compileMainConsumerOptions({ ...base, topics: [] })).to.throw(/^topics:/);
    expect(() => compileMainConsumerOptions({ ...base, tiers: '1m,5s' })).to.throw(/^tiers:/);
    expect(() => compileMainConsumerOptions({ ...base, groupId: ' ' })).to.throw(/^groupId:/);
    expect(() => compileMainConsumerOptions({ ...base, concurrency: 0 })).to.throw(/^concurrency:/);
    // The option's old name, from a JavaScript caller, is refused rather than dropped.
    expect(() =>
      compileMainConsumerOptions({ ...base, partitionsConsumedConcurrently: 2 } as typeof base),
    ).to.throw(/^partitionsConsumedConcurrently: was renamed concurrency/);
    expect(() => compileMainConsumerOptions({ ...base, topics: ['retry-5s'] })).to.throw(
      /^topics: retry-5s is a retry tier/,
    );
  });
});
