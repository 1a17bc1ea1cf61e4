import { expect } from 'chai';
import { isConfluentFramed } from '@ricochet/value-decoder/internal';
import { framed } from './helpers.js';

describe('isConfluentFramed', () => {
  it('accepts magic byte 0, a positive schema id and a payload', () => {
    expect(isConfluentFramed(framed(1, [0x02]))).to.equal(true);
    expect(isConfluentFramed(framed(2 ** 31 - 1, [1, 2, 3]))).to.equal(true);
  });

  it('accepts an empty payload (an Avro record without fields encodes to nothing)', () => {
    expect(isConfluentFramed(framed(7))).to.equal(true);
  });

  it('refuses null, no bytes, and anything shorter than the 5-byte header', () => {
    expect(isConfluentFramed(null)).to.equal(false);
    expect(isConfluentFramed(Buffer.alloc(0))).to.equal(false);
    expect(isConfluentFramed(Buffer.from([0, 0, 0, 1]))).to.equal(false);
  });

  it('refuses another magic byte', () => {
    const value = framed(1, [2]);
    value[0] = 1;
    expect(isConfluentFramed(value)).to.equal(false);
    expect(isConfluentFramed(Buffer.from('{"id":1}'))).to.equal(false);
  });

  it('refuses schema id 0 and negative ids, which no registry hands out', () => {
    expect(isConfluentFramed(Buffer.alloc(16))).to.equal(false);
    expect(isConfluentFramed(framed(-1, [1]))).to.equal(false);
  });
});
