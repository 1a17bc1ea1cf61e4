import { expect } from 'chai';
import fc from 'fast-check';
import type { ConsumedRecord } from '@ricochet/core';
import type { Ordering } from '../src/defaults.js';
import { OrderingLanes } from '../src/ordering.js';

function recordAt(offset: number, key: string | null): ConsumedRecord {
  return {
    topic: 'orders',
    partition: 0,
    offset: String(offset),
    timestamp: '1700000000000',
    key: key === null ? null : Buffer.from(key),
    value: null,
    headers: {},
  };
}

interface Item {
  readonly record: ConsumedRecord;
}

/**
 * Drives the lanes as the main consumer does: takes records in offset order, starts each the
 * lanes allow (all asynchronous), queues the others, and finishes running records in the order
 * `finishOrder` picks. Returns each record's start, in start order, and the most running at once.
 */
function simulate(
  ordering: Ordering,
  records: readonly ConsumedRecord[],
  pickFinish: (running: readonly ConsumedRecord[]) => number,
  takeAheadBeforeFinishing = records.length,
): { started: ConsumedRecord[]; mostRunning: number } {
  const lanes = new OrderingLanes<Item>(ordering);
  const running: ConsumedRecord[] = [];
  const started: ConsumedRecord[] = [];
  let mostRunning = 0;
  let next = 0;
  const start = (record: ConsumedRecord): void => {
    running.push(record);
    started.push(record);
    mostRunning = Math.max(mostRunning, running.length);
  };
  while (next < records.length || running.length > 0) {
    for (let taken = 0; taken < takeAheadBeforeFinishing && next < records.length; taken += 1) {
      const record = records[next]!;
      next += 1;
      if (lanes.mayStart(record)) {
        lanes.running(record);
        start(record);
      } else {
        lanes.wait({ record });
      }
    }
    if (running.length > 0) {
      const [finished] = running.splice(pickFinish(running) % running.length, 1);
      const successor = lanes.finished(finished!);
      if (successor !== undefined) {
        start(successor.record);
      }
    }
  }
  expect(lanes.idle).to.equal(true);
  return { started, mostRunning };
}

const firstFinishesFirst = (): number => 0;

describe('OrderingLanes', () => {
  const interleaved = [
    recordAt(0, 'a'),
    recordAt(1, 'b'),
    recordAt(2, 'a'),
    recordAt(3, null),
    recordAt(4, 'c'),
    recordAt(5, null),
    recordAt(6, 'b'),
  ];

  it('key: runs different keys at once, one record of a key at a time, null keys as one lane', () => {
    const lanes = new OrderingLanes<Item>('key');
    const mayStart = interleaved.map((record) => {
      const may = lanes.mayStart(record);
      if (may) {
        lanes.running(record);
      } else {
        lanes.wait({ record });
      }
      return may;
    });
    expect(mayStart).to.deep.equal([true, true, false, true, true, false, false]);
    expect(lanes.finished(interleaved[0]!)?.record.offset, 'a: the next a').to.equal('2');
    expect(lanes.finished(interleaved[3]!)?.record.offset, 'the next null key').to.equal('5');
    expect(lanes.finished(interleaved[4]!), 'c has no more').to.equal(undefined);
    expect(lanes.mayStart(recordAt(7, 'c')), 'c is free again').to.equal(true);
    expect(lanes.mayStart(recordAt(8, 'a')), 'a is busy with 2').to.equal(false);
  });

  it('key: an empty key is a key, not the null-key lane', () => {
    const lanes = new OrderingLanes<Item>('key');
    lanes.running(recordAt(0, null));
    expect(lanes.mayStart(recordAt(1, ''))).to.equal(true);
    expect(lanes.mayStart(recordAt(2, null))).to.equal(false);
  });

  it('partition: one record at a time, in offset order', () => {
    const { started, mostRunning } = simulate('partition', interleaved, firstFinishesFirst);
    expect(started.map((record) => record.offset)).to.deep.equal([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(mostRunning).to.equal(1);
  });

  it('unordered: everything at once', () => {
    const { mostRunning } = simulate('unordered', interleaved, firstFinishesFirst);
    expect(mostRunning).to.equal(interleaved.length);
    const lanes = new OrderingLanes<Item>('unordered');
    lanes.running(interleaved[0]!);
    expect(lanes.mayStart(interleaved[2]!)).to.equal(true);
    expect(lanes.finished(interleaved[0]!)).to.equal(undefined);
  });

  it('hands back the records waiting when the batch ends, and frees every lane', () => {
    const lanes = new OrderingLanes<Item>('key');
    lanes.running(interleaved[0]!);
    lanes.wait({ record: interleaved[2]! });
    lanes.running(interleaved[3]!);
    lanes.wait({ record: interleaved[5]! });
    expect(
      lanes
        .abandonWaiting()
        .map(({ record }) => record.offset)
        .sort(),
    ).to.deep.equal(['2', '5']);
    expect(lanes.idle).to.equal(true);
  });

  it('key: whatever the keys and the finishing order, each key starts in offset order, one at a time, and every record starts once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }), {
          maxLength: 40,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (keys, picks, takeAhead) => {
          const records = keys.map((key, offset) => recordAt(offset, key));
          let pick = 0;
          const { started } = simulate(
            'key',
            records,
            () => {
              pick += 1;
              return picks[pick % picks.length]!;
            },
            takeAhead,
          );
          expect(
            started.map((record) => Number(record.offset)).sort((a, b) => a - b),
          ).to.deep.equal(records.map((_, offset) => offset));
          const lastStarted = new Map<string, number>();
          for (const record of started) {
            const lane = record.key?.toString() ?? '<null>';
            const previous = lastStarted.get(lane) ?? -1;
            expect(Number(record.offset), `lane ${lane}`).to.be.greaterThan(previous);
            lastStarted.set(lane, Number(record.offset));
          }
        },
      ),
    );
  });
});
