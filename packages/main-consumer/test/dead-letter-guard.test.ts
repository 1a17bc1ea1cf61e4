import { expect } from 'chai';
import fc from 'fast-check';
import { parseDeadLetterGuard } from '@ricochet/core';
import { DeadLetterGuard } from '../src/dead-letter-guard.js';
import type { RecordOutcome } from '../src/record-outcome.js';

const succeeded: RecordOutcome = { kind: 'succeeded', tryCount: 0 };
const deadLettered: RecordOutcome = {
  kind: 'dead-lettered',
  reason: 'non-retryable-error',
  tryCount: 1,
};
const sentToTier: RecordOutcome = { kind: 'sent-to-tier', topic: 'retry-5s', tryCount: 1 };
const released: RecordOutcome = {
  kind: 'dead-lettered',
  reason: 'released-by-operator',
  tryCount: 1,
};

function guard(text: string): DeadLetterGuard {
  return new DeadLetterGuard(parseDeadLetterGuard(text, 'deadLetterGuard'));
}

describe('DeadLetterGuard', () => {
  it('does not trip before min-records are counted, however many are dead letters', () => {
    const subject = guard('0.5,1m,10');
    for (let index = 0; index < 9; index += 1) {
      expect(subject.observe(deadLettered, 1_000)).to.equal(undefined);
    }
    expect(subject.tripped).to.equal(undefined);
    expect(subject.observe(deadLettered, 1_000)).to.deep.equal({
      counted: 10,
      flooding: 10,
      ratio: 1,
    });
    expect(subject.tripped?.counted).to.equal(10);
  });

  it('trips at the ratio, not only above it, and a success can complete min-records', () => {
    const subject = guard('0.5,1m,4');
    subject.observe(deadLettered, 0);
    subject.observe(deadLettered, 0);
    subject.observe(succeeded, 0);
    expect(subject.observe(succeeded, 0)).to.deep.equal({ counted: 4, flooding: 2, ratio: 0.5 });
  });

  it('forgets outcomes older than the window', () => {
    const subject = guard('0.5,20s,4');
    subject.observe(deadLettered, 0);
    subject.observe(deadLettered, 0);
    subject.observe(deadLettered, 0);
    expect(subject.figures(19_999).counted).to.equal(3);
    // 20 s later the first bucket has left the window.
    expect(subject.observe(deadLettered, 20_000)).to.equal(undefined);
    expect(subject.figures(20_000)).to.deep.equal({ counted: 1, flooding: 1, ratio: 1 });
  });

  it('counts records sent to a tier only with count=failed', () => {
    const deadLettersOnly = guard('0.5,1m,2');
    const failures = guard('0.5,1m,2,count=failed');
    for (const subject of [deadLettersOnly, failures]) {
      subject.observe(sentToTier, 0);
      subject.observe(sentToTier, 0);
    }
    expect(deadLettersOnly.tripped).to.equal(undefined);
    expect(deadLettersOnly.figures(0)).to.deep.equal({ counted: 2, flooding: 0, ratio: 0 });
    expect(failures.tripped).to.deep.equal({ counted: 2, flooding: 2, ratio: 1 });
  });

  it("ignores operators' releases, other groups' redeliveries and records sent to wait", () => {
    const subject = guard('0.1,1m,1');
    subject.observe(released, 0);
    subject.observe({ kind: 'skipped-other-group', retryGroup: 'other' }, 0);
    subject.observe({ kind: 'waiting', blockerOffset: '3' }, 0);
    expect(subject.figures(0).counted).to.equal(0);
    expect(subject.tripped).to.equal(undefined);
  });

  it('counts nothing while tripped, and a resume starts from an empty window', () => {
    const subject = guard('1,1m,2');
    subject.observe(deadLettered, 0);
    subject.observe(deadLettered, 0);
    expect(subject.tripped).to.not.equal(undefined);
    subject.observe(deadLettered, 1_000);
    expect(subject.figures(1_000).counted).to.equal(2);
    expect(subject.resume()).to.equal(true);
    expect(subject.resume()).to.equal(false);
    expect(subject.figures(30_000).counted).to.equal(0);
    expect(subject.observe(deadLettered, 30_000)).to.equal(undefined);
  });

  it('says why it is not ready, with the figures and how it resumes', () => {
    const subject = guard('0.5,1m,2');
    subject.observe(deadLettered, 0);
    const trip = subject.observe(succeeded, 0);
    expect(trip).to.not.equal(undefined);
    expect(subject.describe(trip!)).to.equal(
      'dead-letter-guard: 1 of 2 records dead-lettered within 1m (0.50 >= 0.5, guard 0.5,1m,2); consumption paused; resume with SIGUSR2 or a restart',
    );
  });

  it('never trips on a steady trickle of dead letters below the ratio', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5_000 }),
        (every, minRecords, stepMilliseconds) => {
          // One record in `every` dead-lettered, evenly: at most ceil(n / every) of any n in a row.
          const ratio = Math.min(1, 2 / every + 0.01);
          const subject = guard(`${ratio},1m,${minRecords}`);
          for (let index = 0; index < 2_000; index += 1) {
            const outcome = index % every === 0 ? deadLettered : succeeded;
            const trip = subject.observe(outcome, index * stepMilliseconds);
            if (trip !== undefined) {
              // Only a window too short to hold a full cycle may show the ratio reached.
              expect(trip.counted).to.be.lessThan(every);
            }
          }
        },
      ),
    );
  });

  it('trips exactly when a count of the outcomes in the window says so', () => {
    const windowMilliseconds = 20_000;
    const bucketMilliseconds = windowMilliseconds / 20;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            advance: fc.integer({ min: 0, max: 3_000 }),
            outcome: fc.constantFrom(succeeded, deadLettered, sentToTier, released),
          }),
          { maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        (steps, minRecords, percent, failed) => {
          const spec = `${percent / 100},20s,${minRecords}${failed ? ',count=failed' : ''}`;
          const subject = guard(spec);
          const seen: { at: number; flooding: boolean }[] = [];
          let now = 0;
          for (const step of steps) {
            now += step.advance;
            const counts =
              step.outcome === released
                ? undefined
                : step.outcome === succeeded
                  ? false
                  : step.outcome === deadLettered || failed;
            if (counts !== undefined) {
              seen.push({ at: now, flooding: counts });
            }
            const current = Math.floor(now / bucketMilliseconds);
            const inWindow = seen.filter(
              (entry) => Math.floor(entry.at / bucketMilliseconds) > current - 20,
            );
            const flooding = inWindow.filter((entry) => entry.flooding).length;
            const expected =
              counts !== undefined &&
              inWindow.length >= minRecords &&
              flooding / inWindow.length >= percent / 100;
            const trip = subject.observe(step.outcome, now);
            expect(trip !== undefined).to.equal(expected);
            if (trip !== undefined) {
              expect(trip).to.deep.equal({
                counted: inWindow.length,
                flooding,
                ratio: flooding / inWindow.length,
              });
              subject.resume();
              seen.length = 0;
            }
          }
        },
      ),
    );
  });
});
