import { expect } from 'chai';
import { summariseLateness } from '../src/statistics.js';

describe('bench lateness summary', () => {
  it('gives the nearest-rank percentiles, the maximum and the early records', () => {
    const sorted = Array.from({ length: 200 }, (_, index) => index - 2);
    expect(summariseLateness(sorted)).to.deep.equal({
      count: 200,
      p50: 97,
      p99: 195,
      max: 197,
      early: 2,
    });
  });

  it('is all zero for no records', () => {
    expect(summariseLateness([])).to.deep.equal({ count: 0, p50: 0, p99: 0, max: 0, early: 0 });
  });
});
