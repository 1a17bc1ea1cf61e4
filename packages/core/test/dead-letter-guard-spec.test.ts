import { expect } from 'chai';
import fc from 'fast-check';
import {
  checkDeadLetterGuard,
  formatDeadLetterGuard,
  parseDeadLetterGuard,
  type DeadLetterGuardSpec,
} from '@ricochet/core';
import { expectConfigError } from './helpers.js';

describe('parseDeadLetterGuard', () => {
  it('reads ratio, window and min-records, counting dead letters with no cool-down', () => {
    expect(parseDeadLetterGuard('0.5,1m,100', '--dead-letter-guard')).to.deep.equal({
      ratio: 0.5,
      windowMilliseconds: 60_000,
      minRecords: 100,
      cooldownMilliseconds: undefined,
      count: 'dead-lettered',
    });
  });

  it('reads a cool-down and what counts, in any order, with spaces', () => {
    expect(parseDeadLetterGuard(' 1 , 30s , 5 , count=failed , cooldown=10m ', 'f')).to.deep.equal({
      ratio: 1,
      windowMilliseconds: 30_000,
      minRecords: 5,
      cooldownMilliseconds: 600_000,
      count: 'failed',
    });
  });

  const refused: Array<[string, RegExp]> = [
    ['0.5,1m', /must be ratio,window,min-records/],
    ['0,1m,10', /ratio must be a number above 0 and at most 1, got 0/],
    ['1.5,1m,10', /ratio must be .* got 1.5/],
    ['half,1m,10', /ratio must be .* got NaN/],
    ['-0.5,1m,10', /ratio must be/],
    ['0.5,1x,10', /window: "1x" is not a duration/],
    ['0.5,1m,0', /min-records must be a positive whole number, got 0/],
    ['0.5,1m,2.5', /min-records must be a positive whole number/],
    ['0.5,1m,10,cooldown=soon', /cooldown: "soon" is not a duration/],
    ['0.5,1m,10,count=some', /count must be one of dead-lettered, failed, got "some"/],
    ['0.5,1m,10,pause=1m', /"pause=1m" is not cooldown=DURATION or count=/],
    ['0.5,1m,10,cooldown=1m,cooldown=2m', /cooldown is given twice/],
    ['0.5,30d,10', /window must be a positive duration up to/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${text}, naming the setting and the part`, () => {
      const error = expectConfigError(() => parseDeadLetterGuard(text, '--dead-letter-guard'));
      expect(error.message).to.match(/^--dead-letter-guard/);
      expect(error.message).to.match(message);
    });
  }

  it('checks a library caller object the same way', () => {
    const spec: DeadLetterGuardSpec = {
      ratio: 0.5,
      windowMilliseconds: 60_000,
      minRecords: 0,
      cooldownMilliseconds: undefined,
      count: 'dead-lettered',
    };
    expect(() => checkDeadLetterGuard(spec, 'deadLetterGuard')).to.throw(
      /^deadLetterGuard: min-records/,
    );
  });

  it('reads back what it formats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.option(fc.integer({ min: 1, max: 86_400 }), { nil: undefined }),
        fc.constantFrom('dead-lettered' as const, 'failed' as const),
        (thousandths, windowSeconds, minRecords, cooldownSeconds, count) => {
          const spec: DeadLetterGuardSpec = {
            ratio: thousandths / 1000,
            windowMilliseconds: windowSeconds * 1000,
            minRecords,
            cooldownMilliseconds:
              cooldownSeconds === undefined ? undefined : cooldownSeconds * 1000,
            count,
          };
          expect(parseDeadLetterGuard(formatDeadLetterGuard(spec), 'f')).to.deep.equal(spec);
        },
      ),
    );
  });
});
