import { expect } from 'chai';
import fc from 'fast-check';
import { chunkBySize, recordSizeBound } from '@ricochet/core';

describe('recordSizeBound', () => {
  it('counts key, value, header names and values in bytes, plus the worst-case framing', () => {
    const framing = 5 + 1 + 10 + 5 + 5 + 5 + 5;
    expect(recordSizeBound({ key: null, value: null, headers: {} })).to.equal(framing);
    expect(
      recordSizeBound({
        key: Buffer.alloc(3),
        value: Buffer.alloc(100),
        headers: { ключ: 'é', twice: [Buffer.alloc(2), 'ab'] },
      }),
    ).to.equal(framing + 3 + 100 + (10 + 8 + 2) + (10 + 5 + 2) + (10 + 5 + 2));
  });
});

describe('chunkBySize', () => {
  it('keeps order and every item, stays within the budget, and isolates an item larger than it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300)), fc.integer({ min: 1, max: 200 }), (sizes, budget) => {
        const chunks = chunkBySize(sizes, (size) => size, budget);
        expect(chunks.flat()).to.deep.equal(sizes);
        for (const chunk of chunks) {
          expect(chunk).to.not.have.length(0);
          const total = chunk.reduce((sum, size) => sum + size, 0);
          if (chunk.length > 1) {
            expect(total).to.be.at.most(budget);
          }
        }
      }),
    );
  });

  it('fills each chunk as far as the budget allows', () => {
    expect(chunkBySize([4, 4, 4, 9, 1], (size) => size, 8)).to.deep.equal([[4, 4], [4], [9], [1]]);
  });
});
