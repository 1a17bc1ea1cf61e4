import { expect } from 'chai';
import {
  blockedKeysTopic,
  blockedKeysWriterHeader,
  encodeBlockedKeysRecord,
  entryRecordKey,
  keyBase64,
  parseTierLadder,
  releaseRecordKey,
  RetryHeader,
  waitingTopic,
  type OutgoingRecord,
} from '@ricochet/core';
import { createDelayConsumer, type DelayConsumer } from '@ricochet/delay-consumer';
import {
  createMainConsumer,
  KeyStrictTopicMissingError,
  type HandlerRecord,
  type KeyStrictChanged,
  type MainConsumer,
  type MainConsumerOptions,
  type RecordOutcome,
} from '@ricochet/main-consumer';
import {
  collectTopic,
  committedToEnd,
  createTestTopics,
  produceRecords,
  sleep,
  startFailureCause,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

/**
 * Tier delays no other test uses: tier topics are shared by every group, and other suites
 * recreate theirs. The second tier's delay consumer runs throughout; `releaseTier` has none until
 * the release test starts one, so a blocker stays in it as long as the test needs.
 */
const ladderText = '1100ms,1300ms';
const releaseLadderText = '1700ms';

/** One handler call as the test saw it. */
interface Call {
  readonly key: string;
  readonly value: string;
  readonly offset: number;
  readonly tryCount: number;
  readonly at: number;
  succeeded: boolean;
}

/** A key-strict main consumer under test and what it reported. */
interface StrictRun {
  readonly consumer: MainConsumer<Buffer | null>;
  readonly calls: Call[];
  readonly outcomes: { readonly offset: string; readonly outcome: RecordOutcome }[];
  readonly gauges: KeyStrictChanged[];
}

async function createGroupTopics(group: string): Promise<void> {
  await withAdmin((admin) =>
    admin.createTopics(
      [
        {
          topic: blockedKeysTopic(group),
          partitions: 1,
          configs: { 'cleanup.policy': 'compact' },
        },
        {
          topic: waitingTopic(group),
          partitions: 1,
          configs: { 'message.timestamp.type': 'LogAppendTime' },
        },
      ],
      { waitForLeaders: true },
    ),
  );
}

async function createIfAbsent(topics: readonly string[]): Promise<void> {
  const existing = new Set(await withAdmin((admin) => admin.listTopics()));
  const absent = topics.filter((topic) => !existing.has(topic));
  if (absent.length > 0) {
    await createTestTopics(absent, 1);
  }
}

function textOf(buffer: Buffer | null): string {
  return buffer?.toString() ?? '';
}

function record(topic: string, key: string, value: string): OutgoingRecord {
  return { topic, key: Buffer.from(key), value: Buffer.from(value), headers: {} };
}

/** The first successful handling of each value, in the order they happened. */
function firstSuccesses(calls: readonly Call[], key: string): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const call of calls) {
    if (call.key === key && call.succeeded && !seen.has(call.value)) {
      seen.add(call.value);
      order.push(call.value);
    }
  }
  return order;
}

describe('main consumer, ordering key-strict (real broker)', function () {
  this.timeout(120_000);
  const ladder = parseTierLadder(ladderText);
  const releaseTier = parseTierLadder(releaseLadderText)[0]!.topic;
  const dlqTopic = uniqueName('key-strict-dlq');
  /** The suite's delay services and collector, stopped after it. */
  const running: { stop(): Promise<void> }[] = [];
  /**
   * What a test started, stopped after it: on librdkafka every consumer left idle holds a thread
   * of libuv's pool in turn (docs/drivers.md), slowing the later tests' producers and readers.
   */
  const started: { stop(): Promise<void> }[] = [];
  let deadLetters: CollectedRecord[];

  before(async () => {
    await createIfAbsent([...ladder.map((tier) => tier.topic), releaseTier]);
    await createTestTopics([dlqTopic], 1);
    const delayConsumers: DelayConsumer[] = ladder.map((tier) =>
      createDelayConsumer({
        ...testConnection(),
        tier: tier.topic,
        groupId: uniqueName(`delay-${tier.topic}`),
        dlqTopic,
        logger: testLogger('delay'),
      }),
    );
    await Promise.all(delayConsumers.map((consumer) => consumer.start()));
    running.push(...delayConsumers);
    const collector = await collectTopic(dlqTopic);
    deadLetters = collector.records;
    running.push(collector);
  });

  after(async () => {
    await Promise.all(running.splice(0).map((each) => each.stop()));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((each) => each.stop()));
  });

  async function startStrict(
    options: Pick<MainConsumerOptions<Buffer | null>, 'topics' | 'groupId'> &
      Partial<MainConsumerOptions<Buffer | null>> & {
        readonly fail: (record: HandlerRecord<Buffer | null>) => boolean;
      },
  ): Promise<StrictRun> {
    const calls: Call[] = [];
    const outcomes: StrictRun['outcomes'] = [];
    const gauges: KeyStrictChanged[] = [];
    const { fail, ...rest } = options;
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      tiers: ladderText,
      dlqTopic,
      logger: testLogger('main'),
      fromBeginning: true,
      ordering: 'key-strict',
      sessionTimeoutMilliseconds: 6_000,
      commitIntervalMilliseconds: 200,
      onOutcome: (outcome, consumed) => outcomes.push({ offset: consumed.offset, outcome }),
      onEvent: (event) => {
        if (event.type === 'key-strict') {
          gauges.push(event);
        }
      },
      handler: (handled) => {
        const call: Call = {
          key: textOf(handled.key),
          value: textOf(handled.rawValue),
          offset: Number(handled.offset),
          tryCount: handled.tryCount,
          at: Date.now(),
          succeeded: false,
        };
        calls.push(call);
        if (fail(handled)) {
          throw new Error(`${call.value} fails on try ${call.tryCount}`);
        }
        call.succeeded = true;
      },
      ...rest,
    });
    await consumer.start();
    started.push(consumer);
    return { consumer, calls, outcomes, gauges };
  }

  /** Waits until the consumer reports no key blocked and nothing waiting. */
  async function awaitUnblocked(run: StrictRun): Promise<void> {
    await waitFor('every key to be unblocked', () => {
      const last = run.gauges.at(-1);
      return last !== undefined && last.blockedKeys === 0 && last.waitingRecords === 0
        ? true
        : undefined;
    });
  }

  async function strictSetup(): Promise<{ topic: string; group: string }> {
    const topic = uniqueName('key-strict-source');
    const group = uniqueName('key-strict-group');
    await createTestTopics([topic], 1);
    await createGroupTopics(group);
    return { topic, group };
  }

  it('refuses to start without the group topics, naming them', async () => {
    const topic = uniqueName('key-strict-source');
    const group = uniqueName('key-strict-group');
    await createTestTopics([topic], 1);
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: group,
      topics: [topic],
      ordering: 'key-strict',
      logger: testLogger('main'),
      handler: () => {},
    });
    const cause = await startFailureCause(consumer.start());
    expect(cause).to.be.instanceOf(KeyStrictTopicMissingError);
    expect((cause as Error).message).to.include(blockedKeysTopic(group));
    expect((cause as Error).message).to.include(`ricochet topology create --group ${group}`);
  });

  it('handles a key in offset order behind a record that failed twice, without delaying other keys', async () => {
    const { topic, group } = await strictSetup();
    const producedAt = new Map<string, number>();
    const run = await startStrict({
      topics: [topic],
      groupId: group,
      fail: (handled) => textOf(handled.rawValue) === 'K-0' && handled.tryCount < 2,
    });
    const records: OutgoingRecord[] = [record(topic, 'K', 'K-0')];
    for (let index = 1; index <= 8; index += 1) {
      for (let other = 0; other < 5; other += 1) {
        records.push(record(topic, `other-${other}`, `other-${other}-${index}`));
      }
      records.push(record(topic, 'K', `K-${index}`));
    }
    const sentAt = Date.now();
    await produceRecords(records);
    for (const each of records) {
      producedAt.set(textOf(each.value), sentAt);
    }
    await waitFor('every record to succeed', () =>
      records.every((each) =>
        run.calls.some((call) => call.value === textOf(each.value) && call.succeeded),
      )
        ? true
        : undefined,
    );
    await awaitUnblocked(run);

    expect(firstSuccesses(run.calls, 'K')).to.deep.equal(
      Array.from({ length: 9 }, (_, index) => `K-${index}`),
    );
    const tries = run.calls.filter((call) => call.value === 'K-0').map((call) => call.tryCount);
    expect(tries.slice(0, 3)).to.deep.equal([0, 1, 2]);
    const firstCall = (value: string): number =>
      run.calls.find((call) => call.value === value)!.at - producedAt.get(value)!;
    const otherLatencies = records
      .map((each) => textOf(each.value))
      .filter((value) => value.startsWith('other-'))
      .map(firstCall);
    const followerWaits = Array.from({ length: 8 }, (_, index) => firstCall(`K-${index + 1}`));
    const worstOther = Math.max(...otherLatencies);
    const leastFollowerWait = Math.min(...followerWaits);
    console.log(
      `key-strict: other keys' worst latency ${worstOther} ms while K's followers waited ${leastFollowerWait}..${Math.max(...followerWaits)} ms`,
    );
    // K's followers wait through both tiers (2.4 s at least); the other keys do not wait for K.
    expect(leastFollowerWait).to.be.greaterThan(2_400);
    expect(worstOther).to.be.lessThan(1_000);
    expect(run.outcomes.filter(({ outcome }) => outcome.kind === 'waiting')).to.have.length(8);
    expect(Math.max(...run.gauges.map((gauge) => gauge.waitingRecords))).to.equal(8);
  });

  it('does not believe a late write of a member the group moved on from (a zombie): the key it names is not blocked', async () => {
    const { topic, group } = await strictSetup();
    const first = await startStrict({ topics: [topic], groupId: group, fail: () => false });
    await produceRecords([record(topic, 'other', 'other-0')]);
    await waitFor('the first owner to commit its record', async () =>
      (await committedToEnd(group, topic)) ? true : undefined,
    );
    await first.consumer.stop();
    started.splice(started.indexOf(first.consumer), 1);
    // A former owner, writing late: the entry it writes blocks Z behind a record that will
    // never come back. Written after the first owner's last commit, by a writer no commit names.
    const zombieEntry = {
      version: 1 as const,
      kind: 'entry' as const,
      topic,
      partition: 0,
      key: keyBase64(Buffer.from('Z')),
      blocker: { offset: '999999', since: Date.now() },
      waitingSince: null,
      followers: 0,
      lastFollowerOffset: '999999',
      handledThroughOffset: '999999',
      deadLetterFollowers: false,
      updatedAt: Date.now(),
    };
    await produceRecords([
      {
        topic: blockedKeysTopic(group),
        partition: 0,
        key: Buffer.from(entryRecordKey(topic, 0, Buffer.from('Z'))),
        value: encodeBlockedKeysRecord(zombieEntry),
        headers: { [blockedKeysWriterHeader]: 'a-member-the-group-moved-on-from' },
      },
    ]);

    const second = await startStrict({ topics: [topic], groupId: group, fail: () => false });
    await produceRecords([record(topic, 'Z', 'Z-1')]);
    await waitFor('Z-1 to be handled', () =>
      second.calls.some((call) => call.value === 'Z-1' && call.succeeded) ? true : undefined,
    );
    expect(second.outcomes.filter(({ outcome }) => outcome.kind === 'waiting')).to.deep.equal([]);
    await awaitUnblocked(second);
  });

  it('loses no follower appended while its key drains', async () => {
    const { topic, group } = await strictSetup();
    const blockers = new Set(['K-0', 'K-40', 'K-90']);
    const run = await startStrict({
      topics: [topic],
      groupId: group,
      fail: (handled) => blockers.has(textOf(handled.rawValue)) && handled.tryCount === 0,
    });
    const values = Array.from({ length: 150 }, (_, index) => `K-${index}`);
    // One at a time, so that followers are appended while earlier ones drain.
    for (const value of values) {
      await produceRecords([record(topic, 'K', value)]);
      await sleep(25);
    }
    await waitFor('every record to succeed', () =>
      firstSuccesses(run.calls, 'K').length === values.length ? true : undefined,
    );
    await awaitUnblocked(run);
    expect(firstSuccesses(run.calls, 'K')).to.deep.equal(values);
  });

  for (const onDeadLetter of ['release', 'dead-letter'] as const) {
    it(`after a blocker exhausts its retries, onDeadLetter ${onDeadLetter}`, async () => {
      const { topic, group } = await strictSetup();
      const run = await startStrict({
        topics: [topic],
        groupId: group,
        onDeadLetter,
        fail: (handled) => textOf(handled.rawValue) === 'K-0',
      });
      const records = [0, 1, 2, 3].map((index) => record(topic, 'K', `K-${index}`));
      records.push(record(topic, 'other', 'other-1'));
      await produceRecords(records);
      const deadLetterOf = (value: string): CollectedRecord | undefined =>
        deadLetters.find(
          (dead) =>
            dead.key?.toString() === 'K' &&
            textOf(dead.value) === value &&
            dead.headers[RetryHeader.originalTopic]?.toString() === topic,
        );
      await waitFor('the blocker to be dead-lettered', () => deadLetterOf('K-0'));
      await awaitUnblocked(run);
      expect(deadLetterOf('K-0')!.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
        'retries-exhausted',
      );
      if (onDeadLetter === 'release') {
        await waitFor('the followers to succeed', () =>
          firstSuccesses(run.calls, 'K').length === 3 ? true : undefined,
        );
        expect(firstSuccesses(run.calls, 'K')).to.deep.equal(['K-1', 'K-2', 'K-3']);
      } else {
        for (const value of ['K-1', 'K-2', 'K-3']) {
          const dead = await waitFor(`${value} to be dead-lettered`, () => deadLetterOf(value));
          expect(dead.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
            'predecessor-dead-lettered',
          );
          expect(dead.headers[RetryHeader.originalOffset]?.toString()).to.equal(value.slice(2));
        }
        expect(run.calls.filter((call) => call.key === 'K' && call.value !== 'K-0')).to.deep.equal(
          [],
        );
      }
      expect(firstSuccesses(run.calls, 'other')).to.deep.equal(['other-1']);
    });
  }

  it('dead-letters the followers past maxWaitingPerKey', async () => {
    const { topic, group } = await strictSetup();
    const run = await startStrict({
      topics: [topic],
      groupId: group,
      maxWaitingPerKey: 2,
      fail: (handled) => textOf(handled.rawValue) === 'K-0' && handled.tryCount === 0,
    });
    const records = [0, 1, 2, 3, 4].map((index) => record(topic, 'K', `K-${index}`));
    await produceRecords(records);
    await waitFor('the key to drain', () =>
      firstSuccesses(run.calls, 'K').length === 3 ? true : undefined,
    );
    await awaitUnblocked(run);
    expect(firstSuccesses(run.calls, 'K')).to.deep.equal(['K-0', 'K-1', 'K-2']);
    for (const value of ['K-3', 'K-4']) {
      const dead = await waitFor(`${value} to be dead-lettered`, () =>
        deadLetters.find(
          (each) =>
            textOf(each.value) === value &&
            each.headers[RetryHeader.originalTopic]?.toString() === topic,
        ),
      );
      expect(dead.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
        'waiting-cap-exceeded',
      );
    }
  });

  it('releases a key by an operator: followers go on, the blocker is dead-lettered when it comes back', async () => {
    const { topic, group } = await strictSetup();
    const run = await startStrict({
      topics: [topic],
      groupId: group,
      tiers: releaseLadderText,
      fail: (handled) => textOf(handled.rawValue) === 'K-0',
    });
    await produceRecords([0, 1, 2].map((index) => record(topic, 'K', `K-${index}`)));
    await waitFor('the followers to wait', () =>
      run.gauges.at(-1)?.waitingRecords === 2 ? true : undefined,
    );
    const key = Buffer.from('K');
    await produceRecords([
      {
        topic: blockedKeysTopic(group),
        partition: 0,
        key: Buffer.from(releaseRecordKey(topic, 0, key)),
        value: encodeBlockedKeysRecord({
          version: 1,
          kind: 'release',
          topic,
          partition: 0,
          key: keyBase64(key),
          requestedAt: Date.now(),
        }),
        headers: {},
      },
    ]);
    await waitFor('the followers to succeed', () =>
      firstSuccesses(run.calls, 'K').length === 2 ? true : undefined,
    );
    expect(firstSuccesses(run.calls, 'K')).to.deep.equal(['K-1', 'K-2']);
    await awaitUnblocked(run);
    const delay = createDelayConsumer({
      ...testConnection(),
      tier: releaseTier,
      groupId: uniqueName('delay-release'),
      dlqTopic,
      logger: testLogger('delay'),
    });
    await delay.start();
    started.push(delay);
    const dead = await waitFor('the released blocker to be dead-lettered', () =>
      deadLetters.find(
        (each) =>
          textOf(each.value) === 'K-0' &&
          each.headers[RetryHeader.originalTopic]?.toString() === topic,
      ),
    );
    expect(dead.headers[RetryHeader.deadLetterReason]?.toString()).to.equal('released-by-operator');
    expect(run.calls.filter((call) => call.value === 'K-0')).to.have.length(1);
  });
});
