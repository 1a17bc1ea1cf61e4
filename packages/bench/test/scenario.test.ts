import { expect } from 'chai';
import { againstDefaultDriver, delaysByDriver, drivers } from '../src/drivers.js';
import { adjacentUniqueDelays, comparedRow, inTurn, uniqueDelay } from '../src/scenario.js';

describe('bench scenario helpers', () => {
  it('lets every side go first once in as many rounds as there are sides', () => {
    const sides = ['kafkajs', 'ricochet on kafkajs', 'ricochet on librdkafka'];
    const firsts = [1, 2, 3].map((round) => inTurn(round, sides)[0]);
    expect([...firsts].sort()).to.deep.equal([...sides].sort());
    for (const round of [1, 2, 3]) {
      expect([...inTurn(round, sides)].sort()).to.deep.equal([...sides].sort());
    }
  });

  it('gives adjacent delays of the run alone, never one given before', () => {
    const given = new Set<number>();
    for (let draw = 0; draw < 10; draw += 1) {
      const delays = adjacentUniqueDelays(5_000, 2);
      expect(delays[1]).to.equal((delays[0] as number) + 1);
      for (const delay of [...delays, uniqueDelay(5_000)]) {
        expect(delay).to.be.within(5_001, 5_099);
        expect(given.has(delay), `${delay} given twice`).to.equal(false);
        given.add(delay);
      }
    }
  });

  it('gives each driver a delay a millisecond from the next', () => {
    const byDriver = delaysByDriver(1_000);
    const delays = drivers.map((driver) => byDriver[driver]);
    expect(delays).to.deep.equal(delays.map((_, index) => (delays[0] as number) + index));
  });

  it('judges the ratio against the target in the sense it is written in', () => {
    const baseline = { name: 'kafkajs', value: 100 };
    expect(comparedRow('more is better', baseline, 90, { atLeast: 0.95 })).to.include({
      baseline: 'kafkajs 100 rec/s',
      ricochet: '90 rec/s',
      ratio: 0.9,
      target: '>= 0.95',
      met: false,
    });
    expect(comparedRow('less is better', baseline, 90, { atMost: 1 })).to.include({
      target: '<= 1',
      met: true,
    });
    expect(comparedRow('no target', baseline, 90)).to.not.have.property('target');
  });

  it('compares each other driver with the default one', () => {
    const rows = againstDefaultDriver('rate', { kafkajs: 100, librdkafka: 150 }, { atLeast: 1 });
    expect(rows).to.have.length(drivers.length - 1);
    expect(rows[0]).to.include({
      scenario: 'rate: Ricochet on librdkafka against Ricochet on kafkajs',
      ratio: 1.5,
      met: true,
    });
  });
});
