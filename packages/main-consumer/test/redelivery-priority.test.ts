import { expect } from 'chai';
import { RedeliveryPriority } from '../src/redelivery-priority.js';

const bound = 1_000;
const turn = 500;

function priority(): RedeliveryPriority {
  return new RedeliveryPriority(bound, turn);
}

describe('RedeliveryPriority', () => {
  it('leaves the source alone while no redelivery partition is behind', () => {
    const decide = priority();
    expect(decide.observed(0, false, 0)).to.equal('none');
    expect(decide.paused).to.equal(false);
  });

  it('pauses the source when retries wait beyond what was fetched, once', () => {
    const decide = priority();
    expect(decide.observed(0, true, 10)).to.equal('pause');
    expect(decide.observed(1, true, 20)).to.equal('none');
    expect(decide.paused).to.equal(true);
    expect(decide.pauseEndsAt()).to.equal(10 + bound);
  });

  it('resumes the source once no redelivery partition is behind', () => {
    const decide = priority();
    decide.observed(0, true, 0);
    decide.observed(1, true, 5);
    expect(decide.observed(0, false, 10)).to.equal('none');
    expect(decide.observed(1, false, 20)).to.equal('resume');
    expect(decide.paused).to.equal(false);
  });

  it('lets the source run at least the minimum turn between two short pauses', () => {
    const decide = priority();
    decide.observed(0, true, 0);
    expect(decide.observed(0, false, 50)).to.equal('resume');
    expect(decide.observed(0, true, 51)).to.equal('none');
    expect(decide.observed(0, true, 50 + turn - 1)).to.equal('none');
    expect(decide.observed(0, true, 50 + turn)).to.equal('pause');
  });

  it('ends a pause at the bound, then lets the source run as long before pausing again', () => {
    const decide = priority();
    decide.observed(0, true, 0);
    expect(decide.expire(bound - 1)).to.equal('none');
    expect(decide.expire(bound)).to.equal('resume');
    expect(decide.observed(0, true, bound + 1)).to.equal('none');
    expect(decide.observed(0, true, 2 * bound - 1)).to.equal('none');
    expect(decide.observed(0, true, 2 * bound)).to.equal('pause');
  });

  it('under an endless flood of retries, pauses the source at most half of the time', () => {
    const decide = priority();
    let pausedFor = 0;
    let pausedAt: number | undefined;
    const track = (now: number, change: string): void => {
      if (change === 'pause') {
        pausedAt = now;
      } else if (change === 'resume' && pausedAt !== undefined) {
        pausedFor += now - pausedAt;
        pausedAt = undefined;
      }
    };
    for (let now = 0; now < 100 * bound; now += 7) {
      track(now, decide.expire(now));
      track(now, decide.observed(now % 3, true, now));
    }
    expect(pausedFor).to.be.within(45 * bound, 51 * bound);
  });

  it('forgets what waited on a reset, resuming a paused source, and may pause again at once', () => {
    const decide = priority();
    decide.observed(0, true, 0);
    expect(decide.reset()).to.equal('resume');
    expect(decide.reset()).to.equal('none');
    expect(decide.observed(1, false, 1)).to.equal('none');
    expect(decide.observed(1, true, 2)).to.equal('pause');
  });
});
