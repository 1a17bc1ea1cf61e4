import { expect } from 'chai';
import { scheduleClusterFaults, seededRandom, type ClusterFault } from '@ricochet/chaos';

const schedule = (seed: number): ClusterFault[] =>
  scheduleClusterFaults({
    windowStart: 5_000,
    windowEnd: 125_000,
    counts: { leaderKills: 2, brokerOutages: 1, controlledRestarts: 2, belowMinIsr: 1 },
    beyondProducerRetriesMilliseconds: 20_000,
    random: seededRandom(seed),
  });

describe('cluster fault schedule', () => {
  it('plans every fault asked for, each kill at the leader of the source, a tier and the DLQ in turn', () => {
    const faults = schedule(3);
    const named = faults.map((fault) =>
      fault.kind === 'controlled-restart' ? fault.kind : `${fault.kind} ${fault.target}`,
    );
    expect([...named].sort()).to.deep.equal([
      'below-min-isr source',
      'broker-outage dlq',
      'controlled-restart',
      'controlled-restart',
      'leader-kill source',
      'leader-kill tier',
    ]);
    faults.forEach((fault) => expect(fault.pick).to.be.within(0, 1));
  });

  it('strikes below min.insync.replicas first, then kills a leader, while the traffic surely flows', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(
        schedule(seed)
          .map((fault) => fault.kind)
          .slice(0, 2),
      ).to.deep.equal(['below-min-isr', 'leader-kill']);
    }
  });

  it('gives each fault its own slice of the window, in time order, repeatably', () => {
    const faults = schedule(4);
    const times = faults.map((fault) => fault.at);
    expect(times.every((at) => at >= 5_000 && at <= 125_000)).to.equal(true);
    // Six faults over 120 s: each in the first quarter of its own 20 s slice.
    times.slice(1).forEach((at, index) => expect(at - times[index]!).to.be.at.least(15_000));
    expect(schedule(4)).to.deep.equal(faults);
    expect(schedule(5)).not.to.deep.equal(faults);
  });

  it('keeps the long outage and the window below min.insync.replicas past the producers’ retries', () => {
    for (const fault of [...schedule(6), ...schedule(7)]) {
      if (fault.kind === 'broker-outage') {
        expect(fault.downForMilliseconds).to.be.within(20_000, 25_000);
      }
      if (fault.kind === 'below-min-isr') {
        expect(fault.belowForMilliseconds).to.be.within(20_000, 25_000);
      }
      if (fault.kind === 'leader-kill') {
        expect(fault.downForMilliseconds).to.be.within(2_000, 6_000);
      }
    }
  });

  it('plans nothing when no fault is asked for', () => {
    const none = scheduleClusterFaults({
      windowStart: 0,
      windowEnd: 10_000,
      counts: { leaderKills: 0, brokerOutages: 0, controlledRestarts: 0, belowMinIsr: 0 },
      beyondProducerRetriesMilliseconds: 20_000,
      random: seededRandom(1),
    });
    expect(none).to.deep.equal([]);
  });
});
