import { expect } from 'chai';
import { ReadAheadReleaser } from '@ricochet/delay-consumer/internal';
import { deferred, ManualClock, recordingLogger, settle } from './fakes.js';

const start = 1_800_000_000_000;

interface Call {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A releaser of `partition:offset` items whose publishes and commits a test finishes by hand. */
function releaser(maxPerPublish = 100): {
  releaser: ReadAheadReleaser<string>;
  clock: ManualClock;
  publishes: (Call & { readonly items: readonly string[] })[];
  commits: (Call & { readonly partition: number; readonly offset: string })[];
  rewinds: string[];
  /** How many times the releaser said the read-ahead has room again. */
  released: { count: number };
  problems: string[];
  add(partition: number, offset: number, dueAt: number): void;
} {
  const clock = new ManualClock(start);
  const publishes: (Call & { readonly items: readonly string[] })[] = [];
  const commits: (Call & { readonly partition: number; readonly offset: string })[] = [];
  const rewinds: string[] = [];
  const released = { count: 0 };
  const logger = recordingLogger();
  const subject = new ReadAheadReleaser<string>(
    {
      publish: (items) => {
        const call = deferred();
        publishes.push({ items, ...call });
        return call.promise;
      },
      rewind: (partition, offset) => rewinds.push(`${partition}@${offset}`),
      released: () => {
        released.count += 1;
      },
      commit: (partition, offset) => {
        const call = deferred();
        commits.push({ partition, offset, ...call });
        return call.promise;
      },
    },
    logger,
    maxPerPublish,
    clock,
  );
  return {
    releaser: subject,
    clock,
    publishes,
    commits,
    rewinds,
    released,
    problems: logger.problems,
    // As the batch loop does: the partition's state for the batch, one record, then schedule.
    add(partition, offset, dueAt) {
      const owned = subject.partition(partition, String(offset));
      owned.buffer.add({
        offset: String(offset),
        dueAt,
        bytes: 10,
        item: `${partition}:${offset}`,
      });
      subject.schedule();
    },
  };
}

describe('ReadAheadReleaser', () => {
  it('releases a record at its due-at and never early, checking again when the timer fires early', async () => {
    const { releaser: subject, clock, publishes, commits, add } = releaser();
    add(0, 1, start + 100);
    expect(clock.pendingTimers()).to.deep.equal([start + 100]);

    clock.fireNextEarly(1);
    await settle();
    expect(publishes, 'the timer fired a millisecond early').to.have.length(0);
    expect(clock.pendingTimers(), 'armed again for the due-at').to.deep.equal([start + 100]);

    clock.advanceTo(start + 100);
    await settle();
    expect(publishes.map((each) => each.items)).to.deep.equal([['0:1']]);
    publishes[0]!.resolve();
    await settle();
    commits.forEach((commit) => commit.resolve());
    await subject.close();
  });

  it('arms its one timer for the earliest record waiting in any partition', () => {
    const { releaser: subject, clock, add } = releaser();
    add(0, 1, start + 500);
    add(1, 1, start + 200);
    add(0, 2, start + 100);
    // Partition 0's second record leaves behind its first, so partition 1's is the earliest.
    expect(clock.pendingTimers()).to.deep.equal([start + 200]);
    subject.dropAll();
  });

  it('publishes what is due across partitions in one publish, at most the maximum per publish', async () => {
    const { releaser: subject, clock, publishes, commits, add } = releaser(3);
    add(0, 1, start);
    add(0, 2, start);
    add(1, 5, start - 5);
    add(2, 7, start);
    add(2, 8, start - 20);
    add(3, 9, start + 1_000);

    clock.advanceTo(start);
    await settle();
    expect(publishes.map((each) => each.items)).to.deep.equal([['0:1', '0:2', '1:5']]);
    publishes[0]!.resolve();
    await settle();
    expect(
      publishes.map((each) => each.items),
      'the rest of what was due',
    ).to.deep.equal([
      ['0:1', '0:2', '1:5'],
      ['2:7', '2:8'],
    ]);
    publishes[1]!.resolve();
    await settle();
    expect(publishes, 'partition 3 is not due yet').to.have.length(2);
    expect(clock.pendingTimers()).to.deep.equal([start + 1_000]);

    clock.advanceTo(start + 1_000);
    await settle();
    expect(publishes.at(-1)!.items).to.deep.equal(['3:9']);
    publishes.at(-1)!.resolve();
    await settle();
    commits.forEach((commit) => commit.resolve());
    await subject.close();
  });

  it('puts records that fall due during a publish in the next publish', async () => {
    const { releaser: subject, clock, publishes, commits, add } = releaser();
    add(0, 1, start);
    clock.advanceTo(start);
    await settle();
    add(0, 2, start + 50);
    add(1, 3, start + 60);
    expect(clock.pendingTimers(), 'no timer while a publish is under way').to.deep.equal([]);
    clock.advanceTo(start + 60);
    publishes[0]!.resolve();
    await settle();
    expect(publishes.map((each) => each.items)).to.deep.equal([['0:1'], ['0:2', '1:3']]);
    publishes[1]!.resolve();
    await settle();
    commits.forEach((commit) => commit.resolve());
    await settle();
    expect(commits.map(({ partition, offset }) => `${partition}@${offset}`)).to.deep.equal([
      '0@1',
      '1@3',
      '0@2',
    ]);
    commits[2]!.resolve();
    await subject.close();
  });

  it('commits each partition through what was acknowledged, in order, one commit at a time', async () => {
    const { releaser: subject, clock, publishes, commits, released, add } = releaser();
    add(0, 1, start);
    add(0, 2, start);
    add(0, 3, start + 100);
    add(1, 9, start);
    clock.advanceTo(start);
    await settle();
    expect(commits, 'nothing before the acknowledgement').to.have.length(0);
    publishes[0]!.resolve();
    await settle();
    expect(commits.map(({ partition, offset }) => `${partition}@${offset}`)).to.deep.equal([
      '0@2',
      '1@9',
    ]);
    expect(released.count, 'once for the publish, whichever partitions it took').to.equal(1);
    expect(subject.partitionsWithRecords(), 'partition 0 still has a record').to.deep.equal([0]);

    clock.advanceTo(start + 100);
    await settle();
    publishes[1]!.resolve();
    await settle();
    expect(commits, 'the next commit of partition 0 waits for the one under way').to.have.length(2);
    commits[0]!.resolve();
    await settle();
    expect(commits.map(({ partition, offset }) => `${partition}@${offset}`)).to.deep.equal([
      '0@2',
      '1@9',
      '0@3',
    ]);
    commits.forEach((commit) => commit.resolve());
    await subject.close();
    expect(subject.partitionsWithRecords()).to.deep.equal([]);
  });

  it('goes on committing a partition after a commit failed, the next one covering it', async () => {
    const { releaser: subject, clock, publishes, commits, problems, add } = releaser();
    add(0, 1, start);
    clock.advanceTo(start);
    await settle();
    publishes[0]!.resolve();
    await settle();
    add(0, 2, start + 10);
    clock.advanceTo(start + 10);
    await settle();
    publishes[1]!.resolve();
    await settle();
    commits[0]!.reject(new Error('rebalance in progress'));
    await settle();
    expect(problems).to.deep.equal(['committing released records failed']);
    expect(commits.map(({ offset }) => offset)).to.deep.equal(['1', '2']);
    commits[1]!.resolve();
    await subject.close();
  });

  it('rewinds each partition of a failed publish to its first unacknowledged record, and drops its state', async () => {
    const { releaser: subject, clock, publishes, commits, rewinds, released, add } = releaser();
    add(0, 1, start);
    add(0, 2, start);
    add(0, 3, start + 500);
    add(1, 8, start);
    clock.advanceTo(start);
    await settle();
    const stale = subject.partition(0, '4');
    publishes[0]!.reject(new Error('broker down'));
    await settle();
    expect(rewinds).to.deep.equal(['0@1', '1@8']);
    expect(commits).to.have.length(0);
    expect(released.count, 'a rewound partition is resumed by the rewind').to.equal(0);
    expect(subject.owns(0, stale), 'a batch of it still being read stops').to.equal(false);
    expect(subject.partitionsWithRecords()).to.deep.equal([]);
    expect(clock.pendingTimers(), 'its record due later went with it').to.deep.equal([]);

    // Read again from the rewound offset: a new state, released and committed as usual.
    add(0, 1, start);
    clock.advanceTo(start + 1);
    await settle();
    publishes[1]!.resolve();
    await settle();
    expect(publishes[1]!.items).to.deep.equal(['0:1']);
    expect(commits.map(({ offset }) => offset)).to.deep.equal(['1']);
    commits[0]!.resolve();
    await subject.close();
  });

  it('skips the commit of a partition dropped while its publish or an earlier commit was under way', async () => {
    const { releaser: subject, clock, publishes, commits, released, add } = releaser();
    add(0, 1, start);
    clock.advanceTo(start);
    await settle();
    publishes[0]!.resolve();
    await settle();
    add(0, 2, start + 10);
    add(1, 5, start + 10);
    clock.advanceTo(start + 10);
    await settle();
    publishes[1]!.resolve();
    await settle();
    expect(commits.map(({ partition, offset }) => `${partition}@${offset}`)).to.deep.equal([
      '0@1',
      '1@5',
    ]);
    add(1, 6, start + 20);
    clock.advanceTo(start + 20);
    await settle();

    // A rebalance: the partitions are read again from their committed offsets.
    subject.dropAll();
    publishes[2]!.resolve();
    commits.forEach((commit) => commit.resolve());
    await settle();
    expect(
      commits.map(({ partition, offset }) => `${partition}@${offset}`),
      'neither 0@2 (queued behind 0@1) nor 1@6 (acknowledged after the drop)',
    ).to.deep.equal(['0@1', '1@5']);
    expect(released.count, 'not for the publish acknowledged after the drop').to.equal(2);
    await subject.close();
  });

  it('has room for a record while every partition together stays within the limit, and always for one into an empty partition', () => {
    const { releaser: subject, add } = releaser();
    // Each record of `add` counts 10 bytes.
    add(0, 1, start + 100);
    add(0, 2, start + 100);
    add(1, 7, start + 100);
    const zero = subject.partition(0, '3');
    const one = subject.partition(1, '8');
    expect(subject.hasRoomFor(zero, 10, 40)).to.equal(true);
    expect(subject.hasRoomFor(one, 11, 40), 'the partitions together are over').to.equal(false);
    expect(subject.hasRoomFor(subject.partition(2, '0'), 1_000, 40), 'an empty one').to.equal(true);
  });

  it('drops every partition and its timer on dropAll', async () => {
    const { releaser: subject, clock, publishes, add } = releaser();
    add(0, 1, start + 100);
    add(1, 2, start + 50);
    expect(subject.partitionsWithRecords().sort()).to.deep.equal([0, 1]);
    subject.dropAll();
    expect(subject.partitionsWithRecords()).to.deep.equal([]);
    expect(clock.pendingTimers()).to.deep.equal([]);
    clock.advanceTo(start + 1_000);
    await settle();
    expect(publishes).to.have.length(0);
  });

  it('starts a partition over when its fetch went back before its last record', async () => {
    const { releaser: subject, clock, publishes, commits, add } = releaser();
    add(0, 5, start);
    clock.advanceTo(start);
    await settle();
    const before = subject.partition(0, '6');
    const after = subject.partition(0, '3');
    expect(after).to.not.equal(before);
    expect(subject.owns(0, before)).to.equal(false);
    publishes[0]!.resolve();
    await settle();
    expect(commits, 'the old state is no longer counted').to.have.length(0);
    await subject.close();
  });

  it('closes once the publish and commits under way are done, and releases nothing after', async () => {
    const { releaser: subject, clock, publishes, commits, add } = releaser();
    add(0, 1, start);
    add(0, 2, start + 100);
    clock.advanceTo(start);
    await settle();
    let closed = false;
    const closing = subject.close().then(() => (closed = true));
    expect(clock.pendingTimers()).to.deep.equal([]);
    await settle();
    expect(closed, 'the publish is under way').to.equal(false);
    publishes[0]!.resolve();
    await settle();
    expect(
      commits.map(({ offset }) => offset),
      'what was acknowledged is committed',
    ).to.deep.equal(['1']);
    expect(closed, 'the commit is under way').to.equal(false);
    commits[0]!.resolve();
    await closing;
    clock.advanceTo(start + 1_000);
    await settle();
    expect(publishes, 'nothing released once closed').to.have.length(1);
  });

  it('closes only once a commit under way of a partition dropped meanwhile is done', async () => {
    const { releaser: subject, clock, publishes, commits, rewinds, add } = releaser();
    add(0, 1, start);
    add(1, 5, start);
    clock.advanceTo(start);
    await settle();
    publishes[0]!.resolve();
    await settle();
    expect(commits.map(({ partition, offset }) => `${partition}@${offset}`)).to.deep.equal([
      '0@1',
      '1@5',
    ]);
    // Partition 0 is dropped by a failed publish, partition 1 by a rebalance, commits under way.
    add(0, 2, start + 10);
    clock.advanceTo(start + 10);
    await settle();
    publishes[1]!.reject(new Error('broker down'));
    await settle();
    expect(rewinds).to.deep.equal(['0@2']);
    subject.dropAll();

    let closed = false;
    const closing = subject.close().then(() => (closed = true));
    await settle();
    expect(closed, 'the consumer must not stop under a commit').to.equal(false);
    commits[0]!.resolve();
    await settle();
    expect(closed).to.equal(false);
    commits[1]!.resolve();
    await closing;
  });
});
