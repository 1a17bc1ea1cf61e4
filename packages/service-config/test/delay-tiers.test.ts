import { expect } from 'chai';
import { configErrorOf, resolve, type TestInput } from './helpers.js';

const brokers = 'kafka:9092';

function tiersOf(input: TestInput): { topic: string; group: string }[] {
  return resolve('delay', input).delay.tiers.map(({ topic, group }) => ({ topic, group }));
}

describe('a delay process serves one tier, several, or the whole ladder', () => {
  it('serves each tier named, in its own group, whether repeated, comma-separated or listed', () => {
    const expected = [
      { topic: 'retry-5s', group: 'ricochet-delay-retry-5s' },
      { topic: 'retry-1m', group: 'ricochet-delay-retry-1m' },
      { topic: 'retry-10m', group: 'ricochet-delay-retry-10m' },
    ];
    expect(tiersOf({ flags: { brokers, tier: ['retry-5s', '1m', 'retry-10m'] } })).to.deep.equal(
      expected,
    );
    expect(
      tiersOf({ flags: { brokers }, environment: { RICOCHET_TIER: '5s, 1m,10m' } }),
    ).to.deep.equal(expected);
    expect(tiersOf({ flags: { brokers }, yaml: 'delay: {tier: [5s, 1m, 10m]}' })).to.deep.equal(
      expected,
    );
  });

  it('--all-tiers serves every tier of the ladder: the default one, or --tiers / RICOCHET_TIERS', () => {
    expect(
      tiersOf({ flags: { brokers, 'all-tiers': true } }).map(({ topic }) => topic),
    ).to.deep.equal(['retry-5s', 'retry-1m', 'retry-10m']);
    expect(
      tiersOf({
        flags: { brokers },
        environment: { RICOCHET_ALL_TIERS: 'true', RICOCHET_TIERS: '2s,30s' },
      }),
    ).to.deep.equal([
      { topic: 'retry-2s', group: 'ricochet-delay-retry-2s' },
      { topic: 'retry-30s', group: 'ricochet-delay-retry-30s' },
    ]);
  });

  it('takes --group for a single tier only, as before', () => {
    expect(tiersOf({ flags: { brokers, tier: '5s', group: 'mine' } })).to.deep.equal([
      { topic: 'retry-5s', group: 'mine' },
    ]);
  });

  it('any well-formed tier when no ladder is given; a tier of the ladder when one is', () => {
    expect(tiersOf({ flags: { brokers, tier: '7s' } })[0]?.topic).to.equal('retry-7s');
    expect(
      tiersOf({ flags: { brokers, tier: '7s', tiers: '2s,7s' } }).map(({ topic }) => topic),
    ).to.deep.equal(['retry-7s']);
  });

  const refusals: [string, TestInput, string, RegExp][] = [
    [
      'a tier named twice',
      { flags: { brokers, tier: ['retry-5s', '1m', '5s'] } },
      '--tier[2]',
      /retry-5s is named twice; each tier is served once/,
    ],
    [
      'a tier named twice in one variable',
      { flags: { brokers }, environment: { RICOCHET_TIER: '1m,60s' } },
      'RICOCHET_TIER[1]',
      /retry-1m is named twice/,
    ],
    [
      'a tier that is not one',
      { flags: { brokers, tier: ['5s', 'later'] } },
      '--tier[1]',
      /"later" is not a duration/,
    ],
    [
      'a tier outside the ladder given',
      { flags: { brokers, tier: ['5s', '2m'] }, environment: { RICOCHET_TIERS: '5s,1m,10m' } },
      '--tier[1]',
      /retry-2m is not a tier of the ladder 5s,1m,10m \(RICOCHET_TIERS\)/,
    ],
    [
      '--tier with --all-tiers',
      { flags: { brokers, tier: '5s', 'all-tiers': true } },
      '--all-tiers',
      /cannot be given with --tier: give one or the other/,
    ],
    [
      '--all-tiers with a tier in the environment',
      { flags: { brokers, 'all-tiers': true }, environment: { RICOCHET_TIER: '5s' } },
      '--all-tiers',
      /cannot be given with RICOCHET_TIER/,
    ],
    [
      'one group for several tiers',
      { flags: { brokers, tier: ['5s', '1m'], group: 'mine' } },
      '--group',
      /names one consumer group, but 2 tiers are served and each keeps its own \(ricochet-delay-retry-5s, ricochet-delay-retry-1m\)/,
    ],
    [
      'a ladder tier that is the dead-letter topic',
      { flags: { brokers, 'all-tiers': true, tiers: '5s,1m', dlq: 'retry-1m' } },
      '--all-tiers',
      /retry-1m is also the dead-letter topic/,
    ],
    [
      'neither --tier nor --all-tiers',
      { flags: { brokers } },
      '--tier',
      /required for delay unless --all-tiers/,
    ],
  ];
  for (const [problem, input, field, message] of refusals) {
    it(`refuses ${problem}, naming ${field}`, () => {
      const error = configErrorOf(() => resolve('delay', input));
      expect(error.field).to.equal(field);
      expect(error.message).to.match(message);
    });
  }
});
