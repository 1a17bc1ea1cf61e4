import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import type { ConsumedRecord } from '@ricochet/core';
import { compileMainConsumerOptions, RecordProcessor } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';
import { BatchCommits } from '../src/batch-commits.js';
import { BatchRecords } from '../src/batch-records.js';
import { CarefulGate } from '../src/careful-gate.js';
import { PartitionCrashGuard } from '../src/crash-guard.js';
import type { OwnedPartition } from '../src/crash-guards.js';
import { DoneRecords } from '../src/done-records.js';
import { HandOffs } from '../src/hand-offs.js';
import { InFlightSlots } from '../src/in-flight-slots.js';
import { ProgressWatch } from '../src/progress-watch.js';

function recordAt(offset: number, key: string): ConsumedRecord {
  return {
    topic: 'orders',
    partition: 1,
    offset: String(offset),
    timestamp: '1700000000000',
    key: Buffer.from(key),
    value: Buffer.from('v'),
    headers: {},
  };
}

/**
 * A batch's records with a handler that runs until `finish` is called with the record's offset;
 * `guard` is the partition's crash guard as taken over (no earlier guard: normal mode).
 */
function batchRecords(
  guard: PartitionCrashGuard = PartitionCrashGuard.takeOver('instance-a', 3, '0', undefined),
) {
  const started: string[] = [];
  const running = new Map<string, () => void>();
  const logger = testLogger('main');
  const options = compileMainConsumerOptions({
    brokers: ['127.0.0.1:1'],
    groupId: 'billing',
    topics: ['orders'],
    tiers: '5s',
    ordering: 'key',
    logger,
    handler: (record) =>
      new Promise<void>((resolve) => {
        started.push(record.offset);
        running.set(record.offset, resolve);
      }),
  });
  const carefulGate = new CarefulGate();
  const owned: OwnedPartition = {
    topic: 'orders',
    partition: 1,
    guard,
    done: new DoneRecords(),
    gap: () => 0,
  };
  const processor = new RecordProcessor(options, logger);
  const handOffs = new HandOffs({
    settle: () => {},
    commitIntervalMilliseconds: options.commitIntervalMilliseconds,
    startedAt: performance.now(),
  });
  const committed: string[] = [];
  const commits = new BatchCommits(
    'orders',
    1,
    owned,
    handOffs,
    () => Promise.resolve(new Set<number>()),
    (_topic, _partition, offset) => {
      committed.push(offset);
      return Promise.resolve();
    },
  );
  let ending = false;
  let wake: (() => void) | undefined;
  const records = new BatchRecords(
    { options, logger, slots: new InFlightSlots(16), carefulGate, progress: new ProgressWatch(0) },
    {
      owned,
      batchEnd: '100',
      processor,
      handOffs,
      commits,
      keyStrict: undefined,
      slotsAhead: false,
    },
    {
      ending: () => ending,
      closed: () => false,
      wake: () => {
        const woken = wake;
        wake = undefined;
        woken?.();
      },
      woken: () =>
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
      awaitDecided: () => Promise.resolve(),
      failed: (error: unknown) => {
        throw error;
      },
    },
  );
  return {
    records,
    carefulGate,
    started,
    committed,
    finish: (offset: string) => running.get(offset)!(),
    beginEnding: () => {
      ending = true;
      records.abandonWaiting();
    },
  };
}

/** Another partition's careful record: it runs alone (once the records in hand finished) until `finish`. */
function runAlone(gate: CarefulGate) {
  let done!: () => void;
  const running = new Promise<void>((resolve) => {
    done = resolve;
  });
  const alone = gate.alone(() => running);
  return {
    finish: async () => {
      done();
      await alone;
    },
  };
}

describe('BatchRecords', () => {
  it('does not start a record the cursor took while the careful gate was closed once the batch began ending meanwhile', async () => {
    const batch = batchRecords();
    // The first record writes the crash guard (a commit) and runs; the second waits behind its key.
    await batch.records.take(recordAt(0, 'k0030'));
    expect(batch.records.take(recordAt(1, 'k0030'))).to.equal(undefined);
    expect(batch.started).to.deep.equal(['0']);
    // Another partition's careful record waits for the records in hand to finish, alone.
    const careful = runAlone(batch.carefulGate);
    const taking = batch.records.take(recordAt(2, 'k0030'));
    // The group rebalances: the batch ends, and the record waiting behind its key is dropped.
    batch.beginEnding();
    batch.finish('0');
    await new Promise((resolve) => setImmediate(resolve));
    await careful.finish();
    await taking;
    // Starting it would handle it before the record of its key dropped above (read again later).
    expect(batch.started).to.deep.equal(['0']);
    expect(batch.records.pending).to.equal(0);
  });

  it('does not handle a careful record that waited to be alone while the batch began ending', async () => {
    // The previous owner ended without a clean commit: records below its guard run carefully.
    const batch = batchRecords(
      PartitionCrashGuard.takeOver('instance-b', 3, '0', { owner: 'instance-a', guard: '10' }),
    );
    // Another partition's careful record runs alone.
    const careful = runAlone(batch.carefulGate);
    const taking = batch.records.take(recordAt(0, 'k0030'));
    // It waits to be alone, then the group rebalances.
    await new Promise((resolve) => setImmediate(resolve));
    batch.beginEnding();
    await careful.finish();
    await new Promise((resolve) => setImmediate(resolve));
    // Neither handled nor marked as attempted: its next owner must not count a crash of it.
    expect(batch.started).to.deep.equal([]);
    expect(batch.committed).to.deep.equal([]);
    await taking;
  });
});
