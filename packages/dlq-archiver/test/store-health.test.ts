import { expect } from 'chai';
import { storeReadiness } from '../src/store-health.js';

describe('storeReadiness', () => {
  const stall = 2_000;

  it('is ready when the last insert succeeded and none is waiting', () => {
    expect(
      storeReadiness({ insertingSince: undefined, failure: undefined }, 10_000, stall),
    ).to.deep.equal({
      ready: true,
    });
  });

  it('is ready while an insert has waited up to the stall bound, and not after it', () => {
    const waiting = { insertingSince: 10_000, failure: undefined };
    expect(storeReadiness(waiting, 12_000, stall).ready).to.equal(true);
    const stalled = storeReadiness(waiting, 12_001, stall);
    expect(stalled.ready).to.equal(false);
    expect(stalled.reason).to.include('2001 ms').and.include('nothing is committed');
  });

  it('is not ready after a failed insert, naming the error, even while the next try waits', () => {
    const failure = new TypeError('database is locked');
    for (const insertingSince of [undefined, 10_000]) {
      const readiness = storeReadiness({ insertingSince, failure }, 10_001, stall);
      expect(readiness.ready).to.equal(false);
      expect(readiness.reason).to.include('TypeError: database is locked');
    }
  });
});
