import { expect } from 'chai';
import { HoldTimers } from '@ricochet/delay-consumer/internal';

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('HoldTimers', () => {
  it('keeps a partition held until a due-at further away than a Node timer can wait', async () => {
    const timers = new HoldTimers();
    let resumed = 0;
    timers.schedule(0, Date.now() + 30 * 86_400_000, () => (resumed += 1));
    await sleep(100);
    expect(resumed, 'a 30-day hold must not fire at once').to.equal(0);
    expect(timers.has(0)).to.equal(true);
    timers.cancelAll();
  });

  it('resumes a partition at a near due-at', async () => {
    const timers = new HoldTimers();
    let resumed = 0;
    timers.schedule(1, Date.now() + 20, () => (resumed += 1));
    await sleep(100);
    expect(resumed).to.equal(1);
    expect(timers.has(1)).to.equal(false);
  });
});
