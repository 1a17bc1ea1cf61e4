import { expect } from 'chai';
import type { Readiness } from '@ricochet/kafka';
import { testLogger } from '@ricochet/testing';
import { combinedState, ServiceSet } from '../src/service-set.js';

/** A member whose start, stop and state a test drives by hand. */
class ScriptedService {
  state = 'created';
  failure: unknown = undefined;
  stops = 0;
  #readiness: Readiness = { ready: false, reason: 'not started' };
  constructor(
    private readonly starting: () => Promise<void> = async () => {},
    private readonly stopping: () => Promise<void> = async () => {},
  ) {}
  async start(): Promise<void> {
    this.state = 'starting';
    await this.starting();
    this.state = 'running';
    this.#readiness = { ready: true };
  }
  async stop(): Promise<void> {
    this.stops += 1;
    this.state = 'stopping';
    await this.stopping();
    this.state = 'stopped';
    this.#readiness = { ready: false, reason: 'stopped' };
  }
  fail(error: Error): void {
    this.state = 'failed';
    this.failure = error;
    this.#readiness = { ready: false, reason: `failed: ${error.message}` };
  }
  readiness(): Readiness {
    return this.#readiness;
  }
}

const logger = testLogger('service-set');
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function setOf(...services: ScriptedService[]): ServiceSet {
  return new ServiceSet(
    services.map((service, index) => ({ name: `tier-${index}`, service })),
    logger,
    { failureCheckIntervalMs: 5 },
  );
}

describe('ServiceSet: several services run as one process', () => {
  it('starts every member, is ready only once all are, and stops them all', async () => {
    let releaseSecond: () => void = () => {};
    const first = new ScriptedService();
    const second = new ScriptedService(() => new Promise((resolve) => (releaseSecond = resolve)));
    const set = setOf(first, second);
    const starting = set.start();
    await pause(1);
    expect(set.state).to.equal('starting');
    expect(set.readiness()).to.deep.include({ ready: false });
    expect(set.readiness().reason).to.equal('tier-1: not started');
    releaseSecond();
    await starting;
    expect(set.state).to.equal('running');
    expect(set.readiness().ready).to.equal(true);
    await set.stop();
    expect([first.stops, second.stops]).to.deep.equal([1, 1]);
    expect(set.state).to.equal('stopped');
  });

  it('a member failing to start stops the others and rejects with its failure', async () => {
    const refused = new Error('group authorization failed');
    const healthy = new ScriptedService();
    const broken = new ScriptedService(() => Promise.reject(refused));
    const set = setOf(healthy, broken);
    let caught: unknown;
    await set.start().catch((error: unknown) => (caught = error));
    expect(caught).to.equal(refused);
    expect(healthy.stops).to.equal(1);
  });

  it('a member that fails for good stops the others first, then the set reports failed', async () => {
    let releaseStop: () => void = () => {};
    const failing = new ScriptedService();
    const other = new ScriptedService(
      async () => {},
      () => new Promise((resolve) => (releaseStop = resolve)),
    );
    const set = setOf(failing, other);
    await set.start();
    const crash = new Error('consumer crashed and will not restart');
    failing.fail(crash);
    // Not failed yet: the process must not exit before the other tier has committed and left.
    expect(set.state).to.equal('stopping');
    await pause(20);
    expect(other.stops).to.equal(1);
    expect(set.state).to.equal('stopping');
    releaseStop();
    await pause(1);
    expect(set.state).to.equal('failed');
    expect(set.failure).to.equal(crash);
  });

  it('stops each member once, however often it is asked, and reports a member that failed to stop', async () => {
    const stuck = new Error('disconnect failed');
    const first = new ScriptedService(
      async () => {},
      () => Promise.reject(stuck),
    );
    const second = new ScriptedService();
    const set = setOf(first, second);
    await set.start();
    const outcomes = await Promise.allSettled([set.stop(), set.stop()]);
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
    expect([first.stops, second.stops]).to.deep.equal([1, 1]);
  });

  it('combines states: the least advanced, a failed member counting as stopping', () => {
    expect(combinedState(['running', 'running'])).to.equal('running');
    expect(combinedState(['running', 'created'])).to.equal('starting');
    expect(combinedState(['running', 'starting'])).to.equal('starting');
    expect(combinedState(['running', 'failed'])).to.equal('stopping');
    expect(combinedState(['starting', 'stopping'])).to.equal('stopping');
    expect(combinedState(['stopped', 'stopped'])).to.equal('stopped');
  });
});
