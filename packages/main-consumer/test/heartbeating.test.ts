import { expect } from 'chai';
import { stateForBatch, whileHeartbeating } from '../src/heartbeating.js';

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** What `promise` rejected with; fails when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('whileHeartbeating', () => {
  it('asks for the group heartbeat while a partition’s state loads, and stops once it has', async () => {
    let heartbeats = 0;
    const batch = { heartbeat: async (): Promise<void> => void (heartbeats += 1) };
    const loaded = await whileHeartbeating(batch, () => sleep(230).then(() => 'state'), 20);
    expect(loaded).to.equal('state');
    expect(heartbeats).to.be.at.least(5);
    const after = heartbeats;
    await sleep(80);
    expect(heartbeats).to.equal(after);
  });

  it('throws a refused heartbeat (the group rebalances) once the load has settled', async () => {
    const rebalancing = new Error('the group is rebalancing');
    let settled = false;
    const batch = { heartbeat: (): Promise<void> => Promise.reject(rebalancing) };
    const loading = whileHeartbeating(
      batch,
      () => sleep(100).then(() => void (settled = true)),
      10,
    );
    expect(await rejectionOf(loading)).to.equal(rebalancing);
    expect(settled).to.equal(true);
  });

  it('asks for no second heartbeat while the first is unanswered', async () => {
    let asked = 0;
    const batch = {
      heartbeat: (): Promise<void> => {
        asked += 1;
        return new Promise<void>(() => {});
      },
    };
    await whileHeartbeating(batch, () => sleep(120), 10);
    expect(asked).to.equal(1);
  });

  it('passes on the load’s own failure', async () => {
    const unreadable = new Error('the blocked-keys topic is missing');
    const batch = { heartbeat: async (): Promise<void> => {} };
    expect(
      await rejectionOf(whileHeartbeating(batch, () => Promise.reject(unreadable), 10)),
    ).to.equal(unreadable);
  });
});

describe('stateForBatch', () => {
  it('gives a loaded partition state at once: no load, no heartbeat timer', async () => {
    let loads = 0;
    let heartbeats = 0;
    const batch = { heartbeat: async (): Promise<void> => void (heartbeats += 1) };
    const state = stateForBatch(batch, 'loaded', async () => `load ${(loads += 1)}`, 5);
    expect(state).to.equal('loaded');
    await sleep(30);
    expect({ loads, heartbeats }).to.deep.equal({ loads: 0, heartbeats: 0 });
  });

  it('loads a partition state not loaded yet while asking for the group heartbeat', async () => {
    let heartbeats = 0;
    const batch = { heartbeat: async (): Promise<void> => void (heartbeats += 1) };
    const state = await stateForBatch(batch, undefined, () => sleep(120).then(() => 'read'), 10);
    expect(state).to.equal('read');
    expect(heartbeats).to.be.at.least(3);
  });
});
