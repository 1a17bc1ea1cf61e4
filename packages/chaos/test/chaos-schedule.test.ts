import { expect } from 'chai';
import { scheduleChaos, seededRandom, type ChaosEvent } from '@ricochet/chaos';

const schedule = (seed: number): ChaosEvent[] =>
  scheduleChaos({
    windowStart: 5_000,
    windowEnd: 95_000,
    killsPerRole: 20,
    roles: ['main', 'delay', 'dlq'],
    brokerRestarts: 2,
    lostAcks: 2,
    random: seededRandom(seed),
  });

describe('chaos schedule', () => {
  it('plans every kill, restart, lost acknowledgement and scaling inside the window, in time order, repeatably', () => {
    const events = schedule(3);
    const kinds = events.map((event) =>
      event.kind === 'kill' ? `kill ${event.role}` : event.kind,
    );
    for (const role of ['main', 'delay', 'dlq']) {
      expect(kinds.filter((kind) => kind === `kill ${role}`)).to.have.length(20);
    }
    expect(kinds.filter((kind) => kind === 'broker-restart')).to.have.length(2);
    expect(kinds.filter((kind) => kind === 'lost-ack')).to.have.length(2);
    expect(kinds.indexOf('scale-up')).to.be.lessThan(kinds.indexOf('scale-down'));
    expect(events.every((event) => event.at >= 5_000 && event.at <= 95_000)).to.equal(true);
    expect(events.map((event) => event.at)).to.deep.equal(
      [...events.map((event) => event.at)].sort((a, b) => a - b),
    );
    expect(schedule(3)).to.deep.equal(events);
    expect(schedule(4)).not.to.deep.equal(events);
  });

  it('never lets two outages (broker restarts, lost acknowledgements) share a slice of the window', () => {
    const outages = schedule(6)
      .filter((event) => event.kind === 'broker-restart' || event.kind === 'lost-ack')
      .map((event) => event.at);
    // Four outages over the middle 60% of a 90 s window: each in its own 13.5 s slice, away from
    // its edges, so consecutive ones are at least half a slice apart.
    outages.slice(1).forEach((at, index) => expect(at - outages[index]!).to.be.at.least(6_750));
  });

  it('keeps a killed instance down between half a second and three seconds', () => {
    for (const event of schedule(5)) {
      if (event.kind === 'kill') {
        expect(event.downForMilliseconds).to.be.within(500, 3_000);
        expect(event.victim).to.be.within(0, 1);
      }
    }
  });
});
