import { expect } from 'chai';
import {
  NonRetryableError,
  writeRetryContract,
  type ConsumedRecord,
  type OutgoingRecord,
} from '@ricochet/core';
import type { RecordHandler, RecordOutcome } from '@ricochet/main-consumer';
import { compileMainConsumerOptions, RecordProcessor } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';

function processorFor<TValue = Buffer | null>(
  handler: RecordHandler<TValue>,
  extra: {
    decode?: (value: Buffer | null) => TValue;
    classify?: (error: unknown) => 'retryable' | 'non-retryable' | undefined;
    handlerTimeoutMilliseconds?: number;
    redelivery?: 'source' | 'group';
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
  const processor = new RecordProcessor(options, testLogger('main'));
  /** The record's outcome; the record it hands on, if any, joins `published`. */
  const process = async (consumed: ConsumedRecord): Promise<RecordOutcome> => {
    const { outcome, handOff } = await processor.process(consumed);
    if (handOff !== undefined) {
      published.push(handOff);
    }
    return outcome;
  };
  return { processor, process, published };
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
  it("names the group's redelivery topic on a retry with redelivery 'group', on a redelivered record too, and nothing with 'source'", async () => {
    const failing = () => {
      throw new Error('down');
    };
    const group = processorFor(failing, { redelivery: 'group' });
    await group.process(record);
    await group.process({ ...retryOf(1), topic: 'ricochet.billing.redelivery', partition: 0 });
    expect(group.published.map((sent) => [sent.topic, sent.headers['redeliver-to']])).to.deep.equal(
      [
        ['retry-5s', 'ricochet.billing.redelivery'],
        ['retry-1m', 'ricochet.billing.redelivery'],
      ],
    );
    const source = processorFor(failing, { redelivery: 'source' });
    await source.process(record);
    expect(source.published[0]!.headers).not.to.have.property('redeliver-to');
  });

  it('fails a call that does not settle within the handler timeout as a retryable HandlerTimeoutError, ignoring its late result', async () => {
    let rejectLate: (error: Error) => void = () => {};
    const { processor, process, published } = processorFor(
      () =>
        new Promise<void>((_resolve, reject) => {
          rejectLate = reject;
        }),
      // The user's classifier is not asked: a timeout is Ricochet's verdict.
      { handlerTimeoutMilliseconds: 20, classify: () => 'non-retryable' },
    );
    const processed = process(record);
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

  it('times out each of several calls in hand at once on its own clock, and counts those pending', async () => {
    const settleLater: Array<() => void> = [];
    const { processor, process } = processorFor(
      () =>
        new Promise<void>((resolve) => {
          settleLater.push(resolve);
        }),
      { handlerTimeoutMilliseconds: 40 },
    );
    const first = process({ ...record, offset: '1' });
    await new Promise((resolve) => setTimeout(resolve, 25));
    const second = process({ ...record, offset: '2' });
    expect(processor.pendingCalls).to.equal(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    processor.expireOverdue(performance.now());
    expect(await first).to.deep.include({ kind: 'sent-to-tier' });
    expect(processor.pendingCalls, 'the second is not overdue yet').to.equal(1);
    settleLater[1]!();
    expect(await second).to.deep.equal({ kind: 'succeeded', tryCount: 0 });
    expect(processor.pendingCalls).to.equal(0);
  });

  it('reports success without publishing', async () => {
    const { process, published } = processorFor(() => {});
    expect(await process(record)).to.deep.equal({ kind: 'succeeded', tryCount: 0 });
    expect(published).to.have.length(0);
  });

  it('hands a first failure to the first tier with the contract and the user headers', async () => {
    const { process, published } = processorFor(() => {
      throw new TypeError('nope');
    });
    expect(await process(record)).to.deep.equal({
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
    const { process, published } = processorFor(() => {
      throw new Error('still failing');
    });
    expect(await process(retryOf(2))).to.deep.equal({
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
    const { process } = processorFor((handled) => {
      seen = {
        tryCount: handled.tryCount,
        headers: handled.headers,
        original: handled.retry?.original.offset,
      };
    });
    await process(retryOf(1));
    expect(seen).to.deep.equal({ tryCount: 1, headers: { trace: 'abc' }, original: '10' });
  });

  it('skips a redelivery meant for another group', async () => {
    let calls = 0;
    const { process, published } = processorFor(() => void (calls += 1));
    expect(await process(retryOf(1, 'shipping'))).to.deep.equal({
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
    expect((await nonRetryable.process(record)).kind).to.equal('dead-lettered');
    const classified = processorFor(
      () => {
        throw new RangeError('bad');
      },
      { classify: (error) => (error instanceof RangeError ? 'non-retryable' : undefined) },
    );
    expect(await classified.process(record)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'non-retryable-error',
      tryCount: 1,
    });
    const undecodable = processorFor(() => {}, {
      decode: () => {
        throw new SyntaxError('not JSON');
      },
    });
    expect(await undecodable.process(record)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'decode-failed',
      tryCount: 1,
    });
  });

  it('retries a decode failure the decoder marks retriable (an unreachable registry) through the tiers', async () => {
    let calls = 0;
    const registryDown = Object.assign(new Error('registry unreachable'), { retriable: true });
    const { process, published } = processorFor(() => void (calls += 1), {
      decode: () => {
        throw registryDown;
      },
    });
    expect(await process(record)).to.deep.equal({
      kind: 'sent-to-tier',
      topic: 'retry-5s',
      tryCount: 1,
    });
    expect(await process(retryOf(2))).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'retries-exhausted',
      tryCount: 3,
    });
    expect(published[1]!.headers).to.include({ 'error-message': 'registry unreachable' });
    expect(calls, 'the handler never sees an undecoded value').to.equal(0);
  });

  it('treats a throwing classifier as retryable rather than losing the record', async () => {
    const { process } = processorFor(
      () => {
        throw new Error('x');
      },
      {
        classify: () => {
          throw new Error('classifier bug');
        },
      },
    );
    expect((await process(record)).kind).to.equal('sent-to-tier');
  });

  it('dead-letters a redelivery with malformed retry headers, keeping every header', async () => {
    const { process, published } = processorFor(() => {});
    const malformed = { ...retryOf(1), headers: { ...retryOf(1).headers, try_count: 'lots' } };
    expect(await process(malformed)).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'malformed-retry-headers',
      tryCount: 0,
    });
    expect(published[0]!.headers).to.include({ try_count: 'lots', trace: 'abc' });
  });

  it('dead-letters a source record whose own retry-group header collides with the reserved name, saying so', async () => {
    let calls = 0;
    const { process, published } = processorFor(() => void (calls += 1));
    const colliding = { ...record, headers: { trace: 'abc', 'retry-group': 'billing-team' } };
    expect(await process(colliding)).to.deep.equal({
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

  it('decides at once, without a promise, when the handler returns or throws synchronously, and publishes nothing itself', () => {
    let fail = false;
    const { processor } = processorFor(() => {
      if (fail) {
        throw new Error('x');
      }
    });
    const succeeded = processor.process(record);
    expect(succeeded).not.to.be.instanceOf(Promise);
    expect(succeeded).to.deep.equal({
      outcome: { kind: 'succeeded', tryCount: 0 },
      handOff: undefined,
    });
    fail = true;
    const failed = processor.process(record);
    expect(failed).not.to.be.instanceOf(Promise);
    const { outcome, handOff } = failed as Exclude<typeof failed, Promise<unknown>>;
    expect(outcome).to.deep.equal({ kind: 'sent-to-tier', topic: 'retry-5s', tryCount: 1 });
    expect(handOff).to.include({ topic: 'retry-5s' });
  });

  it('dead-letters a record that crashed the process as it came, without calling the handler', () => {
    let calls = 0;
    const { processor } = processorFor(() => void (calls += 1));
    const { outcome, handOff } = processor.deadLetterCrashed(retryOf(1), 3);
    expect(outcome).to.deep.equal({
      kind: 'dead-lettered',
      reason: 'handler-crashed',
      tryCount: 1,
    });
    expect(handOff!.topic).to.equal('dlq');
    expect(handOff!.headers).to.include({ trace: 'abc', try_count: '1' });
    expect(handOff!.headers['dead-letter-reason']?.toString()).to.equal('handler-crashed');
    expect(calls).to.equal(0);
  });
  it('dead-letters a first attempt that crashed the process with its own position as the original one and its group, so the archive keeps one copy', () => {
    const { processor } = processorFor(() => undefined);
    const { handOff } = processor.deadLetterCrashed(record, 3);
    expect(handOff!.headers).to.include({
      'original-topic': record.topic,
      'original-partition': String(record.partition),
      'original-offset': record.offset,
      'original-timestamp': record.timestamp,
      'retry-group': 'billing',
    });
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
    expect(() =>
      compileMainConsumerOptions({ ...base, ordering: 'offset' } as unknown as typeof base),
    ).to.throw(/^ordering: must be one of key, key-strict, partition, unordered, got offset/);
    expect(() => compileMainConsumerOptions({ ...base, maxInFlight: 0 })).to.throw(/^maxInFlight:/);
    expect(() => compileMainConsumerOptions({ ...base, revokeGraceMilliseconds: 1.5 })).to.throw(
      /^revokeGraceMilliseconds:/,
    );
  });

  it('defaults to key ordering, 64 records in flight and a 10 s revoke grace', () => {
    const compiled = compileMainConsumerOptions(base);
    expect(compiled.ordering).to.equal('key');
    expect(compiled.maxInFlight).to.equal(64);
    expect(compiled.revokeGraceMilliseconds).to.equal(10_000);
  });
});
