import { expect } from 'chai';
import {
  defaultLadderText,
  formatTierLadder,
  maxTimerMilliseconds,
  parseTierLadder,
  isTierTopicName,
  parseTierReference,
  tierTopicName,
} from '@ricochet/core';
import { findTierByTopic } from '@ricochet/core/internal';
import { expectConfigError } from './helpers.js';

describe('parseTierLadder', () => {
  it('reads 5s,1m,10m as retry-5s, retry-1m, retry-10m', () => {
    expect(parseTierLadder('5s,1m,10m')).to.deep.equal([
      { index: 0, delayMilliseconds: 5_000, topic: 'retry-5s' },
      { index: 1, delayMilliseconds: 60_000, topic: 'retry-1m' },
      { index: 2, delayMilliseconds: 600_000, topic: 'retry-10m' },
    ]);
  });

  it('has 5s,1m,10m as its default', () => {
    expect(defaultLadderText).to.equal('5s,1m,10m');
    expect(parseTierLadder(defaultLadderText).map((tier) => tier.topic)).to.deep.equal([
      'retry-5s',
      'retry-1m',
      'retry-10m',
    ]);
  });

  it('canonicalises 60s to retry-1m', () => {
    expect(parseTierLadder('60s')).to.deep.equal([
      { index: 0, delayMilliseconds: 60_000, topic: 'retry-1m' },
    ]);
  });

  it('canonicalises every entry to its coarsest unit', () => {
    const ladder = parseTierLadder('1000ms,120s,60m,48h');
    expect(ladder.map((tier) => tier.topic)).to.deep.equal([
      'retry-1s',
      'retry-2m',
      'retry-1h',
      'retry-2d',
    ]);
  });

  it('keeps a delay that no coarser unit divides, e.g. 90s', () => {
    expect(parseTierLadder('90s')[0]?.topic).to.equal('retry-90s');
  });

  it('allows whitespace around entries', () => {
    expect(formatTierLadder(parseTierLadder(' 5s , 1m ,10m '))).to.equal('5s,1m,10m');
  });

  it('accepts a single tier', () => {
    expect(parseTierLadder('30s')).to.have.length(1);
  });

  describe('rejects', () => {
    const badEntries: Array<[string, string, string]> = [
      // ladder, the field the error names, the bad text it quotes
      ['5x', 'tiers[0]', '5x'],
      ['5', 'tiers[0]', '5'],
      ['-5s', 'tiers[0]', '-5s'],
      ['0s', 'tiers[0]', '0s'],
      ['5s,1x', 'tiers[1]', '1x'],
      ['5s,1m,0m', 'tiers[2]', '0m'],
    ];
    for (const [text, field, bad] of badEntries) {
      it(`${JSON.stringify(text)} with a ConfigError naming ${field} and "${bad}"`, () => {
        const error = expectConfigError(() => parseTierLadder(text));
        expect(error.field).to.equal(field);
        expect(error.message.startsWith(`${field}: `)).to.equal(true);
        expect(error.message).to.include(`"${bad}"`);
      });
    }

    for (const text of ['', '   ', ',', ' , ']) {
      it(`${JSON.stringify(text)} as an empty ladder`, () => {
        const error = expectConfigError(() => parseTierLadder(text));
        expect(error.field).to.equal('tiers');
        expect(error.message).to.match(/^tiers: the ladder is empty/);
      });
    }

    const emptyEntries: Array<[string, number]> = [
      ['5s,,1m', 2],
      ['5s,', 2],
      [',5s', 1],
      ['5s, ,1m', 2],
    ];
    for (const [text, position] of emptyEntries) {
      it(`${JSON.stringify(text)} for its empty entry at position ${position}`, () => {
        const error = expectConfigError(() => parseTierLadder(text));
        expect(error.field).to.equal('tiers');
        expect(error.message).to.match(/^tiers: /);
        expect(error.message).to.include(`"${text}"`);
        expect(error.message).to.include(`empty entry at position ${position}`);
      });
    }

    const notIncreasing: Array<[string, string]> = [
      ['1m,5s', '5s does not come after 1m'],
      ['5s,5s', '5s does not come after 5s'],
      ['5s,1m,30s', '30s does not come after 1m'],
      // Equal once canonicalised: both would be the topic retry-1m.
      ['60s,1m', '1m does not come after 1m'],
    ];
    for (const [text, detail] of notIncreasing) {
      it(`${JSON.stringify(text)} as not strictly increasing`, () => {
        const error = expectConfigError(() => parseTierLadder(text));
        expect(error.field).to.equal('tiers');
        expect(error.message).to.match(/^tiers: /);
        expect(error.message).to.include(`"${text}"`);
        expect(error.message).to.include('not strictly increasing');
        expect(error.message).to.include(detail);
      });
    }

    it('with the field name the caller gave', () => {
      const entry = expectConfigError(() => parseTierLadder('5s,oops', 'RICOCHET_TIERS'));
      expect(entry.field).to.equal('RICOCHET_TIERS[1]');
      expect(entry.message).to.match(/^RICOCHET_TIERS\[1\]: "oops"/);

      const order = expectConfigError(() => parseTierLadder('1m,5s', '--tiers'));
      expect(order.field).to.equal('--tiers');
      expect(order.message).to.match(/^--tiers: "1m,5s"/);

      const empty = expectConfigError(() => parseTierLadder('', '--tiers'));
      expect(empty.field).to.equal('--tiers');
    });

    it('a tier longer than a timer can wait (2^31 - 1 ms), keeping the longest one that fits', () => {
      expect(parseTierLadder('5s,24d').at(-1)?.topic).to.equal('retry-24d');
      expect(parseTierLadder(`${maxTimerMilliseconds}ms`)[0]?.delayMilliseconds).to.equal(
        maxTimerMilliseconds,
      );
      const beyond = expectConfigError(() =>
        parseTierLadder(`5s,${maxTimerMilliseconds + 1}ms`, '--tiers'),
      );
      expect(beyond.field).to.equal('--tiers[1]');
      expect(beyond.message).to.match(/is longer than a tier can wait: at most 2147483647 ms/);
      expect(expectConfigError(() => parseTierReference('retry-25d', '--tier')).field).to.equal(
        '--tier',
      );
    });
  });
});

describe('parseTierReference', () => {
  it('accepts a tier topic or a delay', () => {
    expect(parseTierReference('retry-5s')).to.deep.equal({
      topic: 'retry-5s',
      delayMilliseconds: 5_000,
    });
    expect(parseTierReference('1m')).to.deep.equal({
      topic: 'retry-1m',
      delayMilliseconds: 60_000,
    });
  });

  it('refuses a non-canonical tier topic, naming the right one', () => {
    expect(() => parseTierReference('retry-60s')).to.throw(/tier: .*retry-1m/);
  });

  it('refuses what is not a delay', () => {
    expect(() => parseTierReference('retry-soon')).to.throw(/tier/);
  });
});

describe('isTierTopicName', () => {
  it('knows every topic a ladder names as a tier', () => {
    for (const tier of parseTierLadder('500ms,5s,1m,2h,1d')) {
      expect(isTierTopicName(tier.topic), tier.topic).to.equal(true);
    }
  });

  it('also knows a tier named in another unit than the canonical one', () => {
    expect(isTierTopicName('retry-60s')).to.equal(true);
  });

  it('leaves other retry- names alone', () => {
    for (const topic of ['retry-orders', 'retry-', 'retry-5', 'retry-5s.eu', 'orders-retry-5s']) {
      expect(isTierTopicName(topic), topic).to.equal(false);
    }
  });
});

describe('formatTierLadder', () => {
  it('writes a ladder back in canonical form', () => {
    expect(formatTierLadder(parseTierLadder('60s,120m,1d'))).to.equal('1m,2h,1d');
  });

  it('round-trips the default ladder', () => {
    expect(formatTierLadder(parseTierLadder(defaultLadderText))).to.equal(defaultLadderText);
  });
});

describe('tierTopicName', () => {
  it('names the topic after the canonical delay', () => {
    expect(tierTopicName(5_000)).to.equal('retry-5s');
    expect(tierTopicName(60_000)).to.equal('retry-1m');
    expect(tierTopicName(250)).to.equal('retry-250ms');
    expect(tierTopicName(86_400_000)).to.equal('retry-1d');
  });
});

describe('findTierByTopic', () => {
  const ladder = parseTierLadder('5s,1m,10m');

  it('finds a tier by its topic', () => {
    expect(findTierByTopic(ladder, 'retry-1m')).to.equal(ladder[1]);
    expect(findTierByTopic(ladder, 'retry-10m')?.index).to.equal(2);
  });

  it('returns undefined for a topic that is not a tier', () => {
    expect(findTierByTopic(ladder, 'retry-60s')).to.equal(undefined);
    expect(findTierByTopic(ladder, 'orders')).to.equal(undefined);
    expect(findTierByTopic([], 'retry-5s')).to.equal(undefined);
  });
});
