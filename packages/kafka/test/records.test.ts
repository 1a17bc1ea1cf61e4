import { expect } from 'chai';
import type { KafkaMessage } from 'kafkajs';
import { toConsumedRecord } from '../src/records.js';

type Headers = Extract<KafkaMessage, { headers: object }>['headers'];

/** A record-batch message as kafkajs 2.x decodes it, headers included (its record v0 decoder). */
function message(headers: Headers): KafkaMessage {
  return {
    key: null,
    value: Buffer.from('v'),
    timestamp: '1700000000000',
    attributes: 0,
    offset: '3',
    headers,
  };
}

describe('toConsumedRecord', () => {
  it('keeps headers, repeated ones as arrays, exactly as sent', () => {
    const headers = { trace: Buffer.from('a'), twice: [Buffer.from('1'), Buffer.from('2')] };
    expect(toConsumedRecord('orders', 1, message(headers)).headers).to.deep.equal(headers);
  });

  it('drops the inherited value kafkajs puts first when a header is named after an Object.prototype member', () => {
    // kafkajs tests `obj[name] === undefined` while gathering repeats, and Object.prototype
    // members are never undefined: `__proto__: v` arrives as [Object.prototype, v].
    const decoded: Record<string, unknown> = {};
    const define = (name: string, value: unknown[]): void => {
      Object.defineProperty(decoded, name, { value, enumerable: true });
    };
    define('__proto__', [Object.prototype, Buffer.from('p')]);
    define('constructor', [Object, Buffer.from('c1'), Buffer.from('c2')]);
    define('toString', [Object.prototype.toString, Buffer.from('t')]);
    const { headers } = toConsumedRecord('orders', 1, message(decoded as Headers));
    expect(Object.getPrototypeOf(headers)).to.equal(Object.prototype);
    expect(Object.entries(headers)).to.deep.equal([
      ['__proto__', Buffer.from('p')],
      ['constructor', [Buffer.from('c1'), Buffer.from('c2')]],
      ['toString', Buffer.from('t')],
    ]);
  });

  it('reads no headers as none', () => {
    expect(toConsumedRecord('orders', 1, message({})).headers).to.deep.equal({});
  });
});
