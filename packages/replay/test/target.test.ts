import { expect } from 'chai';
import type { ReplayJob } from '@ricochet/archive';
import { replayJobAsJson, replayTarget } from '@ricochet/replay';

describe('replayTarget', () => {
  it('takes the ids named over any filter', () => {
    expect(replayTarget([3, 1], { originalTopic: 'orders' }, false)).to.deep.equal({ ids: [3, 1] });
  });

  it('by filter, leaves out records replayed already unless the filter names a status or it is forced', () => {
    expect(replayTarget([], { originalTopic: 'orders' }, false)).to.deep.equal({
      originalTopic: 'orders',
      status: 'archived',
    });
    expect(replayTarget([], { originalTopic: 'orders' }, true)).to.deep.equal({
      originalTopic: 'orders',
    });
    expect(replayTarget([], { status: 'replayed' }, false)).to.deep.equal({ status: 'replayed' });
  });
});

describe('replayJobAsJson', () => {
  it('shows everything but the run’s fencing token', () => {
    const job = { id: 7, state: 'running', runner: 'secret-run-token' } as unknown as ReplayJob;
    expect(replayJobAsJson(job)).to.deep.equal({ id: 7, state: 'running' });
  });
});
