import { expect } from 'chai';
import fc from 'fast-check';
import { DoneRecords, mergeOffsets } from '../src/done-records.js';

describe('DoneRecords', () => {
  it('says which records, asked in offset order, were done, and keeps the rest for the next commit', () => {
    const done = new DoneRecords(['7', '9', '100']);
    expect(done.exhausted).to.equal(false);
    expect(['5', '6', '7', '8'].map((offset) => done.has(offset))).to.deep.equal([
      false,
      false,
      true,
      false,
    ]);
    expect(done.notReached()).to.deep.equal(['9', '100']);
    // Offsets compare as numbers: 10 is before 100, after 9 (passed over, as compaction may).
    expect(done.has('10')).to.equal(false);
    expect(done.notReached()).to.deep.equal(['100']);
    expect(done.has('100')).to.equal(true);
    expect(done.exhausted).to.equal(true);
    expect(new DoneRecords().exhausted).to.equal(true);
  });

  it('merges two ascending offset lists into one, ascending and distinct', () => {
    expect(mergeOffsets(['1', '10', '12'], ['2', '10', '100'])).to.deep.equal([
      '1',
      '2',
      '10',
      '12',
      '100',
    ]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(500)), fc.uniqueArray(fc.nat(500)), (left, right) => {
        const sorted = (values: number[]) => [...values].sort((a, b) => a - b).map(String);
        expect(mergeOffsets(sorted(left), sorted(right))).to.deep.equal(
          sorted([...new Set([...left, ...right])]),
        );
      }),
    );
  });
});
