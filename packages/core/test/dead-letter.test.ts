import { expect } from 'chai';
import {
  RetryHeader,
  presentHeaders,
  recordSizeBound,
  tooLargeDeadLetter,
  unroutableDeadLetter,
  writeRetryContract,
  type ConsumedRecord,
  type OutgoingRecord,
  type RecordHeaders,
} from '@ricochet/core';
import { sampleContract } from './helpers.js';

describe('presentHeaders', () => {
  it('keeps every header with a value, Ricochet headers included', () => {
    const tags = [Buffer.from('a'), Buffer.from('b')];
    const written = writeRetryContract(sampleContract());
    const headers = { 'trace-id': Buffer.from('abc'), tags, ...written };
    const kept = presentHeaders(headers);
    expect(kept).to.deep.equal(headers);
    expect(kept.tags).to.equal(tags);
  });

  it('drops headers whose value is undefined', () => {
    expect(presentHeaders({ a: undefined, b: 'x' })).to.deep.equal({ b: 'x' });
  });

  it('keeps a header named __proto__ as a header', () => {
    const value = Buffer.from('p');
    const headers: RecordHeaders = {};
    Object.defineProperty(headers, '__proto__', { value, enumerable: true });
    const kept = presentHeaders(headers);
    expect(Object.getPrototypeOf(kept)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).to.equal(value);
  });
});

describe('unroutableDeadLetter', () => {
  const record: ConsumedRecord = {
    topic: 'retry-5s',
    partition: 1,
    offset: '17',
    key: Buffer.from('order-1'),
    value: Buffer.from('{"id":1}'),
    timestamp: '1700000000000',
    headers: {
      'trace-id': Buffer.from('abc'),
      [RetryHeader.tryCount]: Buffer.from('x'),
      gone: undefined,
    },
  };

  it('sends the record as it came to the dead-letter topic, with the reason', () => {
    const outgoing = unroutableDeadLetter(
      record,
      'ricochet-dlq',
      'malformed-retry-headers',
      'header try_count is not a decimal integer: "x"',
    );
    expect(outgoing).to.deep.equal({
      topic: 'ricochet-dlq',
      key: record.key,
      value: record.value,
      headers: {
        'trace-id': Buffer.from('abc'),
        [RetryHeader.tryCount]: Buffer.from('x'),
        [RetryHeader.deadLetterReason]: 'malformed-retry-headers',
        [RetryHeader.deadLetterDetail]: 'header try_count is not a decimal integer: "x"',
      },
    });
    expect(outgoing).not.to.have.property('partition');
  });

  it('replaces dead-letter headers the record already carried', () => {
    const outgoing = unroutableDeadLetter(
      {
        ...record,
        headers: { [RetryHeader.deadLetterReason]: 'retries-exhausted', keep: 'me' },
      },
      'dlq',
      'unknown-original-topic',
      'topic gone',
    );
    expect(outgoing.headers).to.deep.equal({
      keep: 'me',
      [RetryHeader.deadLetterReason]: 'unknown-original-topic',
      [RetryHeader.deadLetterDetail]: 'topic gone',
    });
  });
});

describe('tooLargeDeadLetter', () => {
  const refused: OutgoingRecord = {
    topic: 'orders',
    partition: 2,
    key: Buffer.from('order-1'),
    value: Buffer.alloc(1_000, 0x78),
    headers: { 'trace-id': 'abc', ...writeRetryContract(sampleContract()) },
  };

  it('sends the refused record whole to the dead-letter topic, saying which topic refused it', () => {
    const outgoing = tooLargeDeadLetter(refused, 'dlq');
    expect(outgoing).to.deep.include({ topic: 'dlq', key: refused.key, value: refused.value });
    expect(outgoing).not.to.have.property('partition');
    expect(outgoing!.headers).to.include({
      'trace-id': 'abc',
      [RetryHeader.tryCount]: String(sampleContract().tryCount),
      [RetryHeader.deadLetterReason]: 'record-too-large',
    });
    expect(outgoing!.headers[RetryHeader.deadLetterDetail]).to.equal(
      `orders refused the record (about ${recordSizeBound(refused)} bytes with Ricochet's headers) as larger than its max.message.bytes; raise that limit, then replay it`,
    );
  });

  it('has nothing to offer a record the dead-letter topic itself refused', () => {
    expect(tooLargeDeadLetter({ ...refused, topic: 'dlq' }, 'dlq')).to.equal(undefined);
  });
});
