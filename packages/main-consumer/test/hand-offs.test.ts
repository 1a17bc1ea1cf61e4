import { expect } from 'chai';
import fc from 'fast-check';
import type { ConsumedRecord, OutgoingRecord } from '@ricochet/core';
import { HandOffs, maxHandOffBatch, type PublishHandOffs } from '../src/hand-offs.js';
import type { RecordFate, RecordOutcome } from '../src/record-outcome.js';

function recordAt(offset: number): ConsumedRecord {
  return {
    topic: 'orders',
    partition: 0,
    offset: String(offset),
    timestamp: '1700000000000',
    key: null,
    value: Buffer.from(`value ${offset}`),
    headers: {},
  };
}

const succeeded: RecordFate = { outcome: { kind: 'succeeded', tryCount: 0 }, handOff: undefined };

function sentToTier(offset: number, tryCount = 1): RecordFate {
  return {
    outcome: { kind: 'sent-to-tier', topic: 'retry-5s', tryCount },
    handOff: { topic: 'retry-5s', key: null, value: Buffer.from(`value ${offset}`), headers: {} },
  };
}

/** A publish the test acknowledges (or fails) when it chooses. */
class PendingPublish {
  readonly records: OutgoingRecord[] = [];
  #acknowledge: (diverted: ReadonlySet<number>) => void = () => {};
  #fail: (error: Error) => void = () => {};
  readonly publish: PublishHandOffs = (records) => {
    this.records.push(...records);
    return new Promise((resolve, reject) => {
      this.#acknowledge = resolve;
      this.#fail = reject;
    });
  };

  acknowledge(diverted: ReadonlySet<number> = new Set()): void {
    this.#acknowledge(diverted);
  }

  fail(error: Error): void {
    this.#fail(error);
  }
}

function bookkeeping(commitIntervalMilliseconds = 5_000, startedAt = 0) {
  const settled: Array<{ offset: string; outcome: RecordOutcome | undefined }> = [];
  const handOffs = new HandOffs({
    settle: (record, outcome) => settled.push({ offset: record.offset, outcome }),
    commitIntervalMilliseconds,
    startedAt,
  });
  const published: OutgoingRecord[][] = [];
  const acknowledgeAll: PublishHandOffs = (records) => {
    published.push([...records]);
    return Promise.resolve(new Set());
  };
  const offsetsSettled = (): string[] => settled.map(({ offset }) => offset);
  return { handOffs, settled, offsetsSettled, published, acknowledgeAll };
}

describe('HandOffs', () => {
  it('settles a record with nothing to hand on at once, and may commit through it', () => {
    const { handOffs, settled } = bookkeeping();
    expect(handOffs.committable).to.equal(undefined);
    handOffs.finished(recordAt(4), succeeded);
    handOffs.finished(recordAt(5), succeeded);
    expect(settled).to.deep.equal([
      { offset: '4', outcome: { kind: 'succeeded', tryCount: 0 } },
      { offset: '5', outcome: { kind: 'succeeded', tryCount: 0 } },
    ]);
    expect(handOffs.committable).to.equal('5');
  });

  it('holds a failed record, and every record after it, until its hand-off is acknowledged', async () => {
    const { handOffs, offsetsSettled } = bookkeeping();
    const pending = new PendingPublish();
    handOffs.finished(recordAt(1), succeeded);
    handOffs.finished(recordAt(2), sentToTier(2));
    handOffs.finished(recordAt(3), succeeded);
    expect(offsetsSettled()).to.deep.equal(['1']);
    expect(handOffs.committable, 'nothing past a record not yet handed on').to.equal('1');
    const publishing = handOffs.publishQueued(pending.publish);
    await Promise.resolve();
    expect(offsetsSettled(), 'published, not yet acknowledged').to.deep.equal(['1']);
    expect(handOffs.committable).to.equal('1');
    pending.acknowledge();
    await publishing;
    expect(offsetsSettled()).to.deep.equal(['1', '2', '3']);
    expect(handOffs.committable).to.equal('3');
    handOffs.finished(recordAt(4), succeeded);
    expect(offsetsSettled(), 'nothing waits any more').to.deep.equal(['1', '2', '3', '4']);
  });

  it('publishes every queued hand-off in one request, in offset order, and nothing when none is queued', async () => {
    const { handOffs, published, acknowledgeAll } = bookkeeping();
    await handOffs.publishQueued(acknowledgeAll);
    expect(published, 'publishing nothing proves nothing').to.deep.equal([]);
    const fates = [sentToTier(1), succeeded, sentToTier(3), sentToTier(4)];
    fates.forEach((fate, index) => handOffs.finished(recordAt(index + 1), fate));
    await handOffs.publishQueued(acknowledgeAll);
    expect(published).to.have.length(1);
    expect(published[0]!.map((record) => record.value?.toString())).to.deep.equal([
      'value 1',
      'value 3',
      'value 4',
    ]);
    await handOffs.publishQueued(acknowledgeAll);
    expect(published, 'each hand-off is published once').to.have.length(1);
  });

  it('reports a hand-off its tier refused as too large as dead-lettered, by its index among the hand-offs', async () => {
    const { handOffs, settled } = bookkeeping();
    handOffs.finished(recordAt(1), sentToTier(1));
    handOffs.finished(recordAt(2), succeeded);
    handOffs.finished(recordAt(3), sentToTier(3, 2));
    await handOffs.publishQueued(() => Promise.resolve(new Set([1])));
    expect(settled).to.deep.equal([
      { offset: '1', outcome: { kind: 'sent-to-tier', topic: 'retry-5s', tryCount: 1 } },
      { offset: '2', outcome: { kind: 'succeeded', tryCount: 0 } },
      { offset: '3', outcome: { kind: 'dead-lettered', reason: 'record-too-large', tryCount: 2 } },
    ]);
  });

  it('never settles, nor lets a commit pass, a record whose publish failed, nor any record after it', async () => {
    const { handOffs, offsetsSettled, acknowledgeAll } = bookkeeping();
    handOffs.finished(recordAt(1), succeeded);
    handOffs.finished(recordAt(2), sentToTier(2));
    handOffs.finished(recordAt(3), succeeded);
    const brokerDown = new Error('broker down');
    let rejected: unknown;
    await handOffs
      .publishQueued(() => Promise.reject(brokerDown))
      .catch((error: unknown) => {
        rejected = error;
      });
    expect(rejected).to.equal(brokerDown);
    expect(offsetsSettled()).to.deep.equal(['1']);
    expect(handOffs.committable).to.equal('1');
    handOffs.finished(recordAt(4), sentToTier(4));
    handOffs.finished(recordAt(5), succeeded);
    await handOffs.publishQueued(acknowledgeAll);
    expect(
      offsetsSettled(),
      'a later hand-off acknowledged settles nothing past the failed one',
    ).to.deep.equal(['1']);
    expect(handOffs.committable).to.equal('1');
  });

  it('keeps a record that finishes while a publish is in flight behind the records being published', async () => {
    const { handOffs, offsetsSettled } = bookkeeping();
    const pending = new PendingPublish();
    handOffs.finished(recordAt(1), sentToTier(1));
    const publishing = handOffs.publishQueued(pending.publish);
    handOffs.finished(recordAt(2), succeeded);
    expect(offsetsSettled()).to.deep.equal([]);
    pending.acknowledge();
    await publishing;
    expect(offsetsSettled()).to.deep.equal(['1', '2']);
  });

  it('settles in offset order when a later publish is acknowledged before an earlier one', async () => {
    const { handOffs, offsetsSettled } = bookkeeping();
    const first = new PendingPublish();
    const second = new PendingPublish();
    handOffs.finished(recordAt(1), sentToTier(1));
    const publishingFirst = handOffs.publishQueued(first.publish);
    handOffs.finished(recordAt(2), succeeded);
    handOffs.finished(recordAt(3), sentToTier(3));
    handOffs.finished(recordAt(4), succeeded);
    const publishingSecond = handOffs.publishQueued(second.publish);
    expect(second.records.map((record) => record.value?.toString())).to.deep.equal(['value 3']);
    second.acknowledge();
    await publishingSecond;
    expect(offsetsSettled()).to.deep.equal([]);
    expect(handOffs.committable).to.equal(undefined);
    first.acknowledge();
    await publishingFirst;
    expect(offsetsSettled()).to.deep.equal(['1', '2', '3', '4']);
    expect(handOffs.committable).to.equal('4');
  });

  it('asks for a publish once the queue holds a full hand-off batch, and not before', async () => {
    const { handOffs, acknowledgeAll } = bookkeeping();
    let offset = 0;
    for (let queued = 0; queued < maxHandOffBatch - 1; queued += 1) {
      handOffs.finished(recordAt(offset), sentToTier(offset));
      handOffs.finished(recordAt(offset + 1), succeeded);
      offset += 2;
    }
    expect(handOffs.publishDue).to.equal(false);
    handOffs.finished(recordAt(offset), sentToTier(offset));
    expect(handOffs.publishDue).to.equal(true);
    await handOffs.publishQueued(acknowledgeAll);
    expect(handOffs.publishDue).to.equal(false);
  });

  it('forgets what a commit covered: through the last settled record, or before the next record', () => {
    const { handOffs } = bookkeeping();
    handOffs.finished(recordAt(9), succeeded);
    handOffs.committed('9', 1);
    expect(handOffs.committable, 'a commit before the record settled does not cover it').to.equal(
      '9',
    );
    handOffs.committed('10', 2);
    expect(handOffs.committable).to.equal(undefined);
    handOffs.finished(recordAt(10), succeeded);
    expect(handOffs.committable).to.equal('10');
    // Offsets compare as numbers, not as text.
    handOffs.committed('100', 3);
    expect(handOffs.committable).to.equal(undefined);
  });

  it('calls a commit due once the commit interval has passed since the start or the last commit', () => {
    const { handOffs } = bookkeeping(5_000, 1_000);
    expect(handOffs.commitDue(5_999)).to.equal(false);
    expect(handOffs.commitDue(6_000)).to.equal(true);
    handOffs.finished(recordAt(1), succeeded);
    handOffs.committed('2', 6_500);
    expect(handOffs.commitDue(11_499)).to.equal(false);
    expect(handOffs.commitDue(11_500)).to.equal(true);
  });

  it('settles exactly the records up to the first hand-off not acknowledged, in order, whatever the publishes do', async () => {
    type Step =
      | { readonly kind: 'handled' }
      | { readonly kind: 'failed' }
      | { readonly kind: 'publish' }
      | { readonly kind: 'acknowledge'; readonly which: number; readonly divertFirst: boolean }
      | { readonly kind: 'reject'; readonly which: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constantFrom<Step>({ kind: 'handled' }, { kind: 'failed' }, { kind: 'publish' }),
      fc.record({
        kind: fc.constant('acknowledge' as const),
        which: fc.nat(),
        divertFirst: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('reject' as const), which: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { handOffs, settled } = bookkeeping();
        /** The model: each finished record's expected outcome and whether it may settle. */
        const records: Array<{ outcome: RecordOutcome; handedOn: boolean }> = [];
        let queued: number[] = [];
        const inFlight: Array<{ pending: PendingPublish; done: Promise<void>; carried: number[] }> =
          [];
        for (const next of steps) {
          if (next.kind === 'handled' || next.kind === 'failed') {
            const offset = records.length;
            const fate = next.kind === 'handled' ? succeeded : sentToTier(offset);
            records.push({ outcome: fate.outcome, handedOn: next.kind === 'handled' });
            if (next.kind === 'failed') {
              queued.push(offset);
            }
            handOffs.finished(recordAt(offset), fate);
          } else if (next.kind === 'publish') {
            const pending = new PendingPublish();
            const done = handOffs.publishQueued(pending.publish).catch(() => {});
            if (queued.length > 0) {
              inFlight.push({ pending, done, carried: queued });
            }
            queued = [];
          } else if (inFlight.length > 0) {
            const [publish] = inFlight.splice(next.which % inFlight.length, 1);
            if (next.kind === 'acknowledge') {
              publish!.pending.acknowledge(new Set(next.divertFirst ? [0] : []));
              for (const offset of publish!.carried) {
                records[offset]!.handedOn = true;
              }
              if (next.divertFirst) {
                records[publish!.carried[0]!]!.outcome = {
                  kind: 'dead-lettered',
                  reason: 'record-too-large',
                  tryCount: 1,
                };
              }
            } else {
              publish!.pending.fail(new Error('broker down'));
            }
            await publish!.done;
          }
          const firstWaiting = records.findIndex(({ handedOn }) => !handedOn);
          const expected = records
            .slice(0, firstWaiting === -1 ? records.length : firstWaiting)
            .map(({ outcome }, offset) => ({ offset: String(offset), outcome }));
          expect(settled).to.deep.equal(expected);
          expect(handOffs.committable).to.equal(expected.at(-1)?.offset);
        }
      }),
    );
  });

  describe('records finishing out of offset order', () => {
    it('settles only the contiguous prefix of done records, and lists the records done beyond it', () => {
      const { handOffs, offsetsSettled } = bookkeeping();
      const first = handOffs.taken(recordAt(1));
      const second = handOffs.taken(recordAt(2));
      handOffs.finished(recordAt(3), succeeded);
      expect(handOffs.firstUnsettled).to.equal('1');
      handOffs.decided(second, succeeded);
      expect(offsetsSettled()).to.deep.equal([]);
      expect(handOffs.committable).to.equal(undefined);
      expect(handOffs.doneBeyond()).to.deep.equal(['2', '3']);
      expect(handOffs.doneBeyondCount).to.equal(2);
      handOffs.decided(first, succeeded);
      expect(offsetsSettled()).to.deep.equal(['1', '2', '3']);
      expect(handOffs.committable).to.equal('3');
      expect(handOffs.doneBeyond()).to.deep.equal([]);
      expect(handOffs.firstUnsettled).to.equal(undefined);
    });

    it('counts a record done beyond the prefix only once its hand-off is acknowledged', async () => {
      const { handOffs, offsetsSettled } = bookkeeping();
      const pending = new PendingPublish();
      const first = handOffs.taken(recordAt(1));
      const second = handOffs.taken(recordAt(2));
      handOffs.decided(second, sentToTier(2));
      expect(handOffs.doneBeyond(), 'not yet acknowledged').to.deep.equal([]);
      const publishing = handOffs.publishQueued(pending.publish);
      await Promise.resolve();
      expect(handOffs.doneBeyond(), 'published, not acknowledged').to.deep.equal([]);
      pending.acknowledge();
      await publishing;
      expect(handOffs.doneBeyond()).to.deep.equal(['2']);
      handOffs.decided(first, succeeded);
      expect(offsetsSettled()).to.deep.equal(['1', '2']);
    });

    it('settles a record an earlier owner did without an outcome, in its place', () => {
      const { handOffs, settled } = bookkeeping();
      handOffs.skipped(recordAt(1));
      const running = handOffs.taken(recordAt(2));
      handOffs.skipped(recordAt(3));
      expect(handOffs.doneBeyond()).to.deep.equal(['3']);
      handOffs.decided(running, succeeded);
      expect(settled).to.deep.equal([
        { offset: '1', outcome: undefined },
        { offset: '2', outcome: { kind: 'succeeded', tryCount: 0 } },
        { offset: '3', outcome: undefined },
      ]);
    });

    it('never settles past a record not done, whatever order records finish and hand-offs are acknowledged in', async () => {
      type Step =
        | { readonly kind: 'take'; readonly fails: boolean; readonly async: boolean }
        | { readonly kind: 'decide'; readonly which: number }
        | { readonly kind: 'publish' };
      const step: fc.Arbitrary<Step> = fc.oneof(
        fc.record({ kind: fc.constant('take' as const), fails: fc.boolean(), async: fc.boolean() }),
        fc.record({ kind: fc.constant('decide' as const), which: fc.nat() }),
        fc.constant<Step>({ kind: 'publish' }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
          const { handOffs, settled, acknowledgeAll } = bookkeeping();
          const model: Array<{ decided: boolean; fails: boolean; acknowledged: boolean }> = [];
          const running: Array<{ offset: number; unsettled: ReturnType<HandOffs['taken']> }> = [];
          for (const next of steps) {
            if (next.kind === 'take') {
              const offset = model.length;
              model.push({ decided: !next.async, fails: next.fails, acknowledged: false });
              const fate = next.fails ? sentToTier(offset) : succeeded;
              if (next.async) {
                running.push({ offset, unsettled: handOffs.taken(recordAt(offset)) });
              } else {
                handOffs.finished(recordAt(offset), fate);
              }
            } else if (next.kind === 'decide' && running.length > 0) {
              const [decided] = running.splice(next.which % running.length, 1);
              model[decided!.offset]!.decided = true;
              handOffs.decided(
                decided!.unsettled,
                model[decided!.offset]!.fails ? sentToTier(decided!.offset) : succeeded,
              );
            } else if (next.kind === 'publish') {
              for (const record of model) {
                if (record.decided) {
                  record.acknowledged = true;
                }
              }
              await handOffs.publishQueued(acknowledgeAll);
            }
            const isDone = (record: (typeof model)[number]) =>
              record.decided && (!record.fails || record.acknowledged);
            const firstNotDone = model.findIndex((record) => !isDone(record));
            const prefix = firstNotDone === -1 ? model.length : firstNotDone;
            expect(settled.map(({ offset }) => offset)).to.deep.equal(
              model.slice(0, prefix).map((_, offset) => String(offset)),
            );
            expect(handOffs.doneBeyond()).to.deep.equal(
              model
                .map((record, offset) => ({ record, offset }))
                .filter(({ record, offset }) => offset > prefix && isDone(record))
                .map(({ offset }) => String(offset)),
            );
          }
        }),
      );
    });
  });
});
