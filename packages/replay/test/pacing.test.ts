import { expect } from 'chai';
import { batchSize } from '@ricochet/replay';
import { nextSendAt } from '@ricochet/replay/internal';

/**
 * Sends `records` the way the runner does, on a simulated clock where each publish takes
 * `publishMs` (a stall of `stallMs` on the first), and returns when each record went.
 */
function simulate(rate: number, records: number, publishMs: number, stallMs = 0): number[] {
  const perBatch = batchSize(rate, 500);
  const sentAt: number[] = [];
  let now = 0;
  let sendAt = 0;
  while (sentAt.length < records) {
    now = Math.max(now, sendAt);
    const size = Math.min(perBatch, records - sentAt.length);
    sentAt.push(...Array.from({ length: size }, () => now));
    const startedAt = now;
    now += publishMs + (sentAt.length === size ? stallMs : 0);
    sendAt = nextSendAt(rate, sendAt, startedAt, size);
  }
  return sentAt;
}

/** The most records sent in any window of `windowMs` (times ascending). */
function busiestWindow(sentAt: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; first < sentAt.length; first += 1) {
    while (last < sentAt.length && sentAt[last]! < sentAt[first]! + windowMs) {
      last += 1;
    }
    most = Math.max(most, last - first);
  }
  return most;
}

describe('replay pacing', () => {
  it('sends about a tenth of a second of records per batch, at least one, all of them uncapped', () => {
    expect(batchSize(1_000, 500)).to.equal(100);
    expect(batchSize(25, 500)).to.equal(2);
    expect(batchSize(0.5, 500)).to.equal(1);
    expect(batchSize(100_000, 500)).to.equal(500);
    expect(batchSize(null, 500)).to.equal(500);
    expect(nextSendAt(null, 0, 40, 500)).to.equal(40);
  });

  for (const rate of [0.5, 7, 100, 2_000]) {
    it(`holds ${rate} records per second: never more than rate x T plus one batch in T, and keeps up`, () => {
      const records = Math.max(10, rate * 5);
      const sentAt = simulate(rate, records, 3);
      expect(busiestWindow(sentAt, 1_000)).to.be.at.most(Math.ceil(rate) + batchSize(rate, 500));
      const seconds = (sentAt.at(-1)! - sentAt[0]!) / 1_000;
      expect(seconds).to.be.within(
        (records - batchSize(rate, 500)) / rate - 0.001,
        records / rate + 0.1,
      );
    });
  }

  it('does not make up a stall with a burst', () => {
    const sentAt = simulate(100, 300, 3, 2_000);
    expect(busiestWindow(sentAt.slice(10), 1_000)).to.be.at.most(100 + 10);
  });
});
