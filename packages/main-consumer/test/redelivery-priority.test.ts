import { expect } from 'chai';
import { RedeliveryPriority } from '../src/redelivery-priority.js';

const bound = 1_000;

describe('RedeliveryPriority', () => {
  it('leaves the source alone while each redelivery batch reaches its partition end', () => {
    const priority = new RedeliveryPriority(bound);
    expect(priority.redeliveryBatch(0, true, 0)).to.equal('none');
    expect(priority.paused).to.equal(false);
  });

  it('pauses the source when retries wait behind a redelivery batch, once', () => {
    const priority = new RedeliveryPriority(bound);
    expect(priority.redeliveryBatch(0, false, 10)).to.equal('pause');
    expect(priority.redeliveryBatch(1, false, 20)).to.equal('none');
    expect(priority.paused).to.equal(true);
    expect(priority.pauseEndsAt()).to.equal(10 + bound);
  });

  it('resumes the source once every redelivery partition behind was read to its end', () => {
    const priority = new RedeliveryPriority(bound);
    priority.redeliveryBatch(0, false, 0);
    priority.redeliveryBatch(1, false, 5);
    expect(priority.redeliveryBatch(0, true, 10)).to.equal('none');
    expect(priority.redeliveryBatch(1, true, 20)).to.equal('resume');
    expect(priority.paused).to.equal(false);
    expect(priority.redeliveryBatch(1, false, 30), 'may pause again at once').to.equal('pause');
  });

  it('ends a pause at the bound, then lets the source run as long before pausing again', () => {
    const priority = new RedeliveryPriority(bound);
    priority.redeliveryBatch(0, false, 0);
    expect(priority.expire(bound - 1)).to.equal('none');
    expect(priority.expire(bound)).to.equal('resume');
    expect(priority.redeliveryBatch(0, false, bound + 1)).to.equal('none');
    expect(priority.redeliveryBatch(0, false, 2 * bound - 1)).to.equal('none');
    expect(priority.redeliveryBatch(0, false, 2 * bound)).to.equal('pause');
  });

  it('under an endless flood of retries, pauses the source at most half of the time', () => {
    const priority = new RedeliveryPriority(bound);
    let pausedFor = 0;
    let pausedAt: number | undefined;
    for (let now = 0; now < 100 * bound; now += 7) {
      const change = priority.expire(now);
      const batch = priority.redeliveryBatch(now % 3, false, now);
      for (const step of [change, batch]) {
        if (step === 'pause') {
          pausedAt = now;
        } else if (step === 'resume' && pausedAt !== undefined) {
          pausedFor += now - pausedAt;
          pausedAt = undefined;
        }
      }
    }
    expect(pausedFor).to.be.within(45 * bound, 51 * bound);
  });

  it('forgets what waited on a reset, resuming a paused source', () => {
    const priority = new RedeliveryPriority(bound);
    priority.redeliveryBatch(0, false, 0);
    expect(priority.reset()).to.equal('resume');
    expect(priority.reset()).to.equal('none');
    expect(priority.redeliveryBatch(1, true, 1)).to.equal('none');
  });
});
