import { expect } from 'chai';
import { maxTimerMilliseconds } from '@ricochet/core';
import { systemClock } from '@ricochet/delay-consumer/internal';

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('systemClock', () => {
  it('waits in steps for a time further away than a Node timer can wait, so a hold never ends early', async () => {
    let fired = 0;
    const timer = systemClock.setTimer(Date.now() + 30 * 86_400_000, () => (fired += 1));
    await sleep(100);
    expect(30 * 86_400_000).to.be.above(maxTimerMilliseconds);
    expect(fired, 'a 30-day timer must not fire at once').to.equal(0);
    timer.cancel();
  });

  it('fires a near timer once, and never a cancelled one', async () => {
    const fired: string[] = [];
    systemClock.setTimer(Date.now() + 20, () => fired.push('near'));
    systemClock.setTimer(Date.now() - 5, () => fired.push('past'));
    systemClock.setTimer(Date.now() + 10, () => fired.push('cancelled')).cancel();
    await sleep(100);
    expect(fired).to.deep.equal(['past', 'near']);
  });
});
