import { expect } from 'chai';
import { steadySendEnd } from '../src/producers.js';

describe('bench steady producer', () => {
  it('sends what its schedule owes', () => {
    expect(steadySendEnd(100, 120)).to.equal(120);
    expect(steadySendEnd(120, 120)).to.equal(120);
  });

  it('catches up in requests of at most 2,000 records when it fell behind', () => {
    // 3 s behind at 2,000 records/s: one request would have held 6,000 records of 1 KiB.
    expect(steadySendEnd(10_000, 16_000)).to.equal(12_000);
    expect(steadySendEnd(12_000, 16_000)).to.equal(14_000);
  });
});
