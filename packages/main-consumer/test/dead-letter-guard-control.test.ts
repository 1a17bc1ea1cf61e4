import { expect } from 'chai';
import { parseDeadLetterGuard, type Logger } from '@ricochet/core';
import type { ConsumedBatch, PartitionControls } from '@ricochet/kafka';
import { DeadLetterGuardControl } from '../src/dead-letter-guard-control.js';
import type { DeadLetterGuardChanged } from '../src/events.js';

const quiet: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quiet,
};

/** Partition controls that remember what is paused, as the client does. */
function recordingControls(): PartitionControls & { paused: Set<string> } {
  const paused = new Set<string>();
  return {
    paused,
    pause: (topic, partition) => paused.add(`${topic}:${partition}`),
    resume: (topic, partition) => paused.delete(`${topic}:${partition}`),
    seek: () => {},
    pausedPartitions: (topic) =>
      [...paused]
        .filter((entry) => entry.startsWith(`${topic}:`))
        .map((entry) => Number(entry.split(':')[1])),
  };
}

function batchOf(topic: string, partition: number): ConsumedBatch {
  return {
    topic,
    partition,
    records: [],
    highWatermark: '0',
    readToEnd: true,
    resolve: () => {},
    heartbeat: async () => {},
    isCurrent: () => true,
  };
}

const deadLettered = { kind: 'dead-lettered', reason: 'non-retryable-error', tryCount: 1 } as const;

describe('DeadLetterGuardControl', () => {
  it('pauses what it owns and what it is given while tripped, and resumes only those after the cool-down', async () => {
    const controls = recordingControls();
    controls.pause('orders', 9); // someone else's pause: a resume leaves it alone
    const events: DeadLetterGuardChanged[] = [];
    const control = new DeadLetterGuardControl(
      parseDeadLetterGuard('1,1m,2,cooldown=100ms', 'deadLetterGuard'),
      controls,
      quiet,
      (event) => events.push(event),
    );
    control.assigned('billing', { orders: [0, 1] });
    const batch = control.halting(batchOf('orders', 0));
    expect(control.holdsBack(batch)).to.equal(false);
    control.observe(deadLettered);
    expect(batch.isCurrent()).to.equal(true);
    control.observe(deadLettered);

    expect(batch.isCurrent(), 'a batch in hand starts no record more').to.equal(false);
    expect([...controls.paused].sort()).to.deep.equal(['orders:0', 'orders:1', 'orders:9']);
    expect(control.readiness()?.reason).to.match(
      /^dead-letter-guard: 2 of 2 records dead-lettered/,
    );
    expect(control.readiness()?.reason).to.match(/resumes 100ms after it tripped, or on SIGUSR2$/);
    control.assigned('billing', { orders: [0, 1], payments: [3] });
    expect(controls.paused.has('payments:3'), 'a partition given while tripped').to.equal(true);
    expect(control.holdsBack(batchOf('payments', 4)), 'a batch fetched before its pause').to.equal(
      true,
    );
    expect(controls.paused.has('payments:4')).to.equal(true);
    expect(events).to.deep.equal([{ type: 'dead-letter-guard', tripped: true }]);

    await new Promise((resolve) => setTimeout(resolve, 250));
    expect([...controls.paused]).to.deep.equal(['orders:9']);
    expect(control.readiness()).to.equal(undefined);
    expect(control.ratio(), 'an empty window').to.equal(0);
    expect(events.at(-1)).to.deep.equal({ type: 'dead-letter-guard', tripped: false });
    expect(control.resume('operator'), 'nothing left to resume').to.equal(false);
  });

  it("pauses both consumers' partitions (the source group's and the redelivery reader's), a join of one keeping the other's", () => {
    const controls = recordingControls();
    const control = new DeadLetterGuardControl(
      parseDeadLetterGuard('1,1m,1', 'deadLetterGuard'),
      controls,
      quiet,
      () => {},
    );
    const reader = 'ricochet.billing.redelivery';
    control.assigned('billing', { orders: [0] });
    control.assigned(reader, { [reader]: [0] });
    control.assigned(reader, { [reader]: [1] });
    control.observe(deadLettered);
    expect([...controls.paused].sort()).to.deep.equal(['orders:0', `${reader}:1`]);
    expect(control.resume('operator')).to.equal(true);
    expect(controls.paused.size).to.equal(0);
  });

  it('resumes at once on the operator, and no cool-down timer fires after', async () => {
    const controls = recordingControls();
    const events: DeadLetterGuardChanged[] = [];
    const control = new DeadLetterGuardControl(
      parseDeadLetterGuard('1,1m,1,cooldown=50ms', 'deadLetterGuard'),
      controls,
      quiet,
      (event) => events.push(event),
    );
    control.assigned('billing', { orders: [0] });
    control.observe(deadLettered);
    expect(control.resume('operator')).to.equal(true);
    expect(controls.paused.size).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(events.map((event) => event.tripped)).to.deep.equal([true, false]);
  });
});
