import { expect } from 'chai';
import {
  earliestDueAt,
  PartitionReadAhead,
  takeDueAcross,
  type ReadAheadEntry,
} from '@ricochet/delay-consumer/internal';

function entry(offset: number, dueAt: number, bytes = 10): ReadAheadEntry<string> {
  return { offset: String(offset), dueAt, bytes, item: `r${offset}` };
}

function buffered(...entries: ReadAheadEntry<string>[]): PartitionReadAhead<string> {
  const buffer = new PartitionReadAhead<string>();
  entries.forEach((each) => buffer.add(each));
  return buffer;
}

describe('PartitionReadAhead', () => {
  it('releases records in offset order, each no earlier than its due-at', () => {
    const buffer = buffered(entry(5, 100), entry(6, 90), entry(7, 200));
    expect(buffer.takeDue(99, 10)).to.deep.equal([]);
    // Offset 6 was due at 90, but leaves behind offset 5, as it would from Kafka.
    expect(buffer.takeDue(100, 10).map((each) => each.item)).to.deep.equal(['r5', 'r6']);
    expect(buffer.nextDueAt()).to.equal(200);
    expect(buffer.takeDue(1_000, 10).map((each) => each.item)).to.deep.equal(['r7']);
    expect(buffer.nextDueAt()).to.equal(undefined);
  });

  it('takes at most the limit, the rest on the next take', () => {
    const buffer = buffered(entry(1, 0), entry(2, 0), entry(3, 0));
    expect(buffer.takeDue(10, 2)).to.have.length(2);
    expect(buffer.takeDue(10, 2).map((each) => each.offset)).to.deep.equal(['3']);
  });

  it('commits through the last acknowledged record, and frees its bytes', () => {
    const buffer = buffered(entry(10, 0, 100), entry(12, 0, 50), entry(13, 500, 25));
    expect(buffer.bytes).to.equal(175);
    buffer.takeDue(100, 10);
    expect(buffer.firstOffset(), 'nothing acknowledged yet').to.equal('10');
    expect(buffer.acknowledge()).to.equal('12');
    expect(buffer.bytes).to.equal(25);
    expect(buffer.firstOffset()).to.equal('13');
    expect(buffer.acknowledge(), 'nothing in flight').to.equal(undefined);
  });

  it('knows when a fetch went back before its last record, and starts over when cleared', () => {
    const buffer = buffered(entry(8, 0), entry(9, 0));
    expect(buffer.follows('10')).to.equal(true);
    expect(buffer.follows('9')).to.equal(false);
    buffer.takeDue(0, 1);
    buffer.clear();
    expect(buffer.isEmpty).to.equal(true);
    expect(buffer.bytes).to.equal(0);
    expect(buffer.follows('3')).to.equal(true);
  });
});

describe('releasing across partitions', () => {
  it('takes the due records of every partition for one publish, at most the limit in all', () => {
    const partitions = new Map([
      [0, buffered(entry(1, 10), entry(2, 10), entry(3, 99))],
      [1, buffered(entry(7, 50))],
      [2, buffered(entry(4, 5), entry(5, 5))],
    ]);
    const taken = takeDueAcross(partitions, 60, 3);
    expect(
      taken.map(({ key, entries }) => [key, entries.map((each) => each.offset)]),
    ).to.deep.equal([
      [0, ['1', '2']],
      [1, ['7']],
    ]);
    expect(earliestDueAt(partitions.values()), 'partition 2 is due and next').to.equal(5);
    expect(earliestDueAt([new PartitionReadAhead<string>()])).to.equal(undefined);
  });
});
