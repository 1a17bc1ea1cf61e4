import { expect } from 'chai';
import avsc from 'avsc';
import { renderDecoded } from '../src/render.js';
import { wideLongHook } from '../src/wide-long.js';

describe('renderDecoded', () => {
  it('renders bigints as numbers when exact, else as strings of digits', () => {
    expect(renderDecoded({ small: 42n, big: 2n ** 60n, negative: -(2n ** 63n) })).to.equal(
      '{\n  "small": 42,\n  "big": "1152921504606846976",\n  "negative": "-9223372036854775808"\n}',
    );
  });

  it('renders bytes as base64, whether Buffer or Uint8Array, at any depth', () => {
    const rendered = renderDecoded({
      blob: Buffer.from([1, 2, 3]),
      nested: [new Uint8Array([255])],
      slice: Buffer.from('xxabc').subarray(2),
    });
    expect(JSON.parse(rendered)).to.deep.equal({ blob: 'AQID', nested: ['/w=='], slice: 'YWJj' });
    expect(renderDecoded(Buffer.from('hi'))).to.equal('"aGk="');
  });

  it('spells NaN and infinities instead of turning them into null', () => {
    expect(JSON.parse(renderDecoded([Number.NaN, Infinity, -Infinity, 1.5]))).to.deep.equal([
      'NaN',
      'Infinity',
      '-Infinity',
      1.5,
    ]);
  });
});

describe('wide Avro longs', () => {
  const type = avsc.Type.forSchema(
    {
      type: 'record',
      name: 'Amounts',
      fields: [
        { name: 'small', type: 'long' },
        { name: 'big', type: { type: 'long' } },
        { name: 'many', type: { type: 'array', items: 'long' } },
        { name: 'maybe', type: ['null', 'long'] },
      ],
    },
    { typeHook: wideLongHook },
  );

  it('reads longs beyond ±2^53 exactly as bigints and the others as numbers', () => {
    const value = {
      small: -7,
      big: 2n ** 62n + 1n,
      many: [0, 2n ** 63n - 1n, -(2n ** 63n)],
      maybe: 9,
    };
    const decoded = type.fromBuffer(type.toBuffer(value)) as Record<string, unknown>;
    expect(decoded).to.deep.include(value);
    expect(renderDecoded(decoded)).to.include('"big": "4611686018427387905"');
  });

  it('leaves avsc refusing those longs without the hook, which is why the hook exists', () => {
    const plain = avsc.Type.forSchema('long');
    const wide = avsc.Type.forSchema('long', { typeHook: wideLongHook });
    expect(() => plain.fromBuffer(wide.toBuffer(2n ** 60n))).to.throw(/precision/);
  });
});
