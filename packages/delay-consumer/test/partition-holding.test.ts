import { expect } from 'chai';
import { PartitionHolding, type HeldPartition } from '@ricochet/delay-consumer/internal';
import { ManualClock, RecordingControls, recordingLogger } from './fakes.js';

const topic = 'retry-5s';
const readAheadMilliseconds = 2_000;
const start = 1_800_000_000_000;

function holding(): {
  holding: PartitionHolding;
  controls: RecordingControls;
  clock: ManualClock;
  held: HeldPartition[];
  running: { value: boolean };
} {
  const controls = new RecordingControls();
  const clock = new ManualClock(start);
  const held: HeldPartition[] = [];
  const running = { value: true };
  const partitionHolding = new PartitionHolding({
    topic,
    controls,
    readAheadMilliseconds,
    clock,
    isRunning: () => running.value,
    onHeld: (each) => held.push(each),
    logger: recordingLogger(),
  });
  return { holding: partitionHolding, controls, clock, held, running };
}

describe('PartitionHolding', () => {
  it('pauses a partition until its record is half the read-ahead from due, then resumes it', () => {
    const { holding: subject, controls, clock, held } = holding();
    subject.holdUntilNearlyDue(3, '42', start + 60_000);
    expect(controls.calls).to.deep.equal([`pause ${topic}/3`]);
    expect(held).to.deep.equal([{ partition: 3, offset: '42', dueAt: start + 60_000 }]);
    expect(subject.heldPartitions()).to.deep.equal([3]);
    expect(clock.pendingTimers()).to.deep.equal([start + 60_000 - readAheadMilliseconds / 2]);

    clock.advanceTo(start + 60_000 - readAheadMilliseconds / 2 - 1);
    expect(controls.pausedPartitions(topic), 'not yet').to.deep.equal([3]);
    clock.advanceTo(start + 60_000 - readAheadMilliseconds / 2);
    expect(controls.calls).to.deep.equal([`pause ${topic}/3`, `resume ${topic}/3`]);
    expect(subject.heldPartitions()).to.deep.equal([]);
  });

  it('keeps one hold per partition: a later hold replaces the earlier one and its timer', () => {
    const { holding: subject, controls, clock } = holding();
    subject.holdUntilNearlyDue(0, '1', start + 10_000);
    subject.holdUntilNearlyDue(0, '5', start + 5_000);
    subject.holdUntilNearlyDue(1, '9', start + 10_000);
    expect(subject.heldPartitions().sort()).to.deep.equal([0, 1]);
    expect(clock.pendingTimers()).to.deep.equal([start + 4_000, start + 9_000]);
    clock.advanceTo(start + 4_000);
    expect(subject.heldPartitions()).to.deep.equal([1]);
    expect(controls.pausedPartitions(topic)).to.deep.equal([1]);
  });

  it('resumes every partition held for room once records are released, not before', () => {
    const { holding: subject, controls, clock, held } = holding();
    subject.holdForRoom(2, '17', start + 500);
    subject.holdForRoom(4, '3', start + 700);
    expect(controls.calls).to.deep.equal([`pause ${topic}/2`, `pause ${topic}/4`]);
    expect(held).to.deep.equal([
      { partition: 2, offset: '17', dueAt: start + 500 },
      { partition: 4, offset: '3', dueAt: start + 700 },
    ]);
    expect(clock.pendingTimers(), 'a release resumes them, not a timer').to.deep.equal([]);
    clock.advanceTo(start + 10_000);
    expect(controls.pausedPartitions(topic), 'nothing released yet').to.deep.equal([2, 4]);

    // The read-ahead's bytes are one budget: any partition's release makes room for each.
    subject.released();
    expect(controls.calls).to.deep.equal([
      `pause ${topic}/2`,
      `pause ${topic}/4`,
      `resume ${topic}/2`,
      `resume ${topic}/4`,
    ]);
    expect(subject.heldPartitions()).to.deep.equal([]);
  });

  it('leaves a partition held until nearly due alone when records are released', () => {
    const { holding: subject, controls } = holding();
    subject.holdUntilNearlyDue(2, '17', start + 60_000);
    subject.released();
    expect(controls.pausedPartitions(topic)).to.deep.equal([2]);
    expect(subject.heldPartitions()).to.deep.equal([2]);
  });

  it('rewinds a partition after a failed publish: seeks it back and resumes it, whatever held it', () => {
    const { holding: subject, controls, clock } = holding();
    subject.holdUntilNearlyDue(0, '30', start + 60_000);
    subject.holdForRoom(1, '70', start);
    subject.rewind(0, '20');
    subject.rewind(1, '60');
    subject.rewind(2, '5');
    expect(controls.calls).to.deep.equal([
      `pause ${topic}/0`,
      `pause ${topic}/1`,
      `seek ${topic}/0 20`,
      `resume ${topic}/0`,
      `seek ${topic}/1 60`,
      `resume ${topic}/1`,
      `seek ${topic}/2 5`,
      `resume ${topic}/2`,
    ]);
    expect(subject.heldPartitions()).to.deep.equal([]);
    expect(clock.pendingTimers(), 'the hold timer is cancelled').to.deep.equal([]);
  });

  it('clears every hold and every pause on a group join, the timers with them', () => {
    const { holding: subject, controls, clock } = holding();
    subject.holdUntilNearlyDue(0, '1', start + 60_000);
    subject.holdForRoom(1, '2', start);
    // Paused before a rebalance by another hold of this process: the client keeps it paused.
    controls.pause(topic, 4);
    controls.calls.length = 0;

    subject.reassigned();
    expect(controls.pausedPartitions(topic)).to.deep.equal([]);
    expect(controls.calls.sort()).to.deep.equal([
      `resume ${topic}/0`,
      `resume ${topic}/1`,
      `resume ${topic}/4`,
    ]);
    expect(subject.heldPartitions()).to.deep.equal([]);
    expect(clock.pendingTimers()).to.deep.equal([]);
    subject.released();
    clock.advanceTo(start + 120_000);
    expect(controls.calls, 'no old hold resumes anything later').to.have.length(3);
  });

  it('forgets every hold without resuming (a crash or a stop)', () => {
    const { holding: subject, controls, clock } = holding();
    subject.holdUntilNearlyDue(0, '1', start + 60_000);
    subject.holdForRoom(1, '2', start);
    subject.forget();
    subject.released();
    clock.advanceTo(start + 120_000);
    expect(controls.calls).to.deep.equal([`pause ${topic}/0`, `pause ${topic}/1`]);
    expect(subject.heldPartitions()).to.deep.equal([]);
  });

  it('resumes nothing once the consumer no longer runs', () => {
    const { holding: subject, controls, clock, running } = holding();
    subject.holdUntilNearlyDue(0, '1', start + 60_000);
    subject.holdForRoom(1, '2', start);
    running.value = false;
    clock.advanceTo(start + 120_000);
    subject.released();
    expect(controls.calls).to.deep.equal([`pause ${topic}/0`, `pause ${topic}/1`]);
    expect(subject.heldPartitions(), 'the holds ended all the same').to.deep.equal([]);
  });

  it('arms no timer for a hold made while the consumer stops, so none keeps the process alive', () => {
    const { holding: subject, controls, clock, held } = holding();
    subject.holdUntilNearlyDue(0, '1', start + 60_000);
    subject.stop();
    expect(clock.pendingTimers()).to.deep.equal([]);
    // A batch still being read while the stop waits for the redeliveries under way.
    subject.holdUntilNearlyDue(1, '2', start + 86_400_000);
    expect(controls.pausedPartitions(topic), 'it still stops the fetch').to.deep.equal([0, 1]);
    expect(held.map(({ partition }) => partition)).to.deep.equal([0, 1]);
    expect(clock.pendingTimers()).to.deep.equal([]);
    expect(subject.heldPartitions()).to.deep.equal([]);
  });
});
