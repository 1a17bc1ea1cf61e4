import { expect } from 'chai';
import { ProgressWatch, progressReadiness } from '../src/progress-watch.js';

describe('ProgressWatch', () => {
  it('counts no stall while nothing waits in hand, however long ago the last record finished', () => {
    const watch = new ProgressWatch(0);
    expect(watch.secondsWithoutProgress(1_000_000)).to.equal(0);
  });

  it('counts from when work arrived, not from the idle spell before it', () => {
    const watch = new ProgressWatch(0);
    watch.batchStarted(50_000);
    expect(watch.secondsWithoutProgress(53_000)).to.equal(3);
  });

  it('counts from the last record finished while work waits', () => {
    const watch = new ProgressWatch(0);
    watch.batchStarted(1_000);
    watch.progressed(4_000);
    expect(watch.secondsWithoutProgress(10_000)).to.equal(6);
  });

  it('keeps counting while another concurrently handled batch still waits', () => {
    const watch = new ProgressWatch(0);
    watch.batchStarted(1_000);
    watch.batchStarted(2_000);
    watch.batchEnded();
    expect(watch.secondsWithoutProgress(5_000)).to.equal(4);
    watch.batchEnded();
    expect(watch.secondsWithoutProgress(5_000)).to.equal(0);
  });
});

describe('progressReadiness', () => {
  it('is ready up to the stall timeout and not ready past it, saying why', () => {
    expect(progressReadiness(0, 2_000)).to.deep.equal({ ready: true });
    expect(progressReadiness(2, 2_000)).to.deep.equal({ ready: true });
    const stalled = progressReadiness(2.5, 2_000);
    expect(stalled.ready).to.equal(false);
    expect(stalled.reason).to.match(/^stalled: /);
  });
});
