import { expect } from 'chai';
import { nextOffset } from '@ricochet/core';

describe('nextOffset', () => {
  it('is the offset after the one handled', () => {
    expect(nextOffset('0')).to.equal('1');
    expect(nextOffset('41')).to.equal('42');
    expect(nextOffset('999')).to.equal('1000');
  });

  it('stays exact beyond the range of a JavaScript number', () => {
    // 2^53 + 1 is not representable as a double; a Number-based increment would be wrong here.
    expect(nextOffset('9007199254740993')).to.equal('9007199254740994');
    expect(nextOffset('9223372036854775806')).to.equal('9223372036854775807');
  });

  it('throws for text that is not an integer', () => {
    expect(() => nextOffset('forty-two')).to.throw(SyntaxError);
  });
});
