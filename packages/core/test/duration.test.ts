import { expect } from 'chai';
import { formatDuration, parseDuration } from '@ricochet/core';
import { expectConfigError } from './helpers.js';

describe('parseDuration', () => {
  const valid: Array<[string, number]> = [
    ['500ms', 500],
    ['1ms', 1],
    ['5s', 5_000],
    ['1m', 60_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['60s', 60_000],
    ['1500ms', 1_500],
  ];
  for (const [text, milliseconds] of valid) {
    it(`reads ${text} as ${milliseconds} ms`, () => {
      expect(parseDuration(text, 'delay')).to.equal(milliseconds);
    });
  }

  it('ignores surrounding whitespace', () => {
    expect(parseDuration('  5s\t', 'delay')).to.equal(5_000);
  });

  it('accepts leading zeros', () => {
    expect(parseDuration('05s', 'delay')).to.equal(5_000);
  });

  it('accepts the largest safe number of milliseconds', () => {
    expect(parseDuration(`${Number.MAX_SAFE_INTEGER}ms`, 'delay')).to.equal(
      Number.MAX_SAFE_INTEGER,
    );
    expect(parseDuration('104249991d', 'delay')).to.equal(104_249_991 * 86_400_000);
  });

  const notADuration = [
    '5x',
    '5',
    '-5s',
    '+5s',
    '',
    '   ',
    's',
    '1.5s',
    '5 s',
    '5S',
    '1e3ms',
    '5s5s',
    '0x10s',
    '٥s', // an Arabic-Indic digit five: only ASCII digits count
  ];
  for (const text of notADuration) {
    it(`rejects ${JSON.stringify(text)}, naming the field and the text`, () => {
      const error = expectConfigError(() => parseDuration(text, 'retry.delay'));
      expect(error.field).to.equal('retry.delay');
      expect(error.message).to.match(/^retry\.delay: /);
      expect(error.message).to.include(`"${text}"`);
      expect(error.message).to.include('is not a duration');
    });
  }

  const notPositiveOrTooBig = [
    '0s',
    '0ms',
    '000d',
    '9007199254740992ms', // 2^53: no longer a safe integer
    '104249992d', // the first whole number of days beyond 2^53 - 1 ms
    '99999999999999999999999d',
  ];
  for (const text of notPositiveOrTooBig) {
    it(`rejects ${text} as not a positive safe duration`, () => {
      const error = expectConfigError(() => parseDuration(text, 'delay'));
      expect(error.field).to.equal('delay');
      expect(error.message).to.include(`"${text}"`);
      expect(error.message).to.include('must be a positive duration');
    });
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [1, '1ms'],
    [500, '500ms'],
    [1_000, '1s'],
    [1_500, '1500ms'],
    [5_000, '5s'],
    [60_000, '1m'],
    [90_000, '90s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
    [86_400_000, '1d'],
    [90_000_000, '25h'],
    [172_800_000, '2d'],
  ];
  for (const [milliseconds, text] of cases) {
    it(`writes ${milliseconds} ms as ${text}`, () => {
      expect(formatDuration(milliseconds)).to.equal(text);
    });
  }

  it('canonicalises a parsed duration: 60s reads back as 1m', () => {
    expect(formatDuration(parseDuration('60s', 'delay'))).to.equal('1m');
    expect(formatDuration(parseDuration('1000ms', 'delay'))).to.equal('1s');
    expect(formatDuration(parseDuration('24h', 'delay'))).to.equal('1d');
  });
});
