// Two copies of one key-strict blocker in play at once (order defect k0230 of issue 14): a crash
// leaves a second copy of a blocker in a tier, and the copy that comes back first is
// dead-lettered while the other is still out. Each test writes the state a crash leaves by hand
// (the blocked-keys entry and its follower, the committed offset and its metadata), starts a
// main consumer on it, and sends the other copy itself: no process is killed, nothing is timed.
import { expect } from 'chai';
import {
  blockedKeysTopic,
  blockedKeysWriterHeader,
  encodeBlockedKeysRecord,
  encodeCommitMetadata,
  entryRecordKey,
  keyBase64,
  parseTierLadder,
  releasedRecordKey,
  RetryHeader,
  toWaitingRecord,
  waitingTopic,
  writeRetryContract,
  type BlockedKeysRecord,
  type CommitMetadata,
  type ConsumedRecord,
  type OutgoingRecord,
} from '@ricochet/core';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { createMainConsumer } from '@ricochet/main-consumer';
import { defaultMaxHandlerCrashes } from '@ricochet/main-consumer/defaults';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  sleep,
  testBrokers,
  testKafka,
  testLogger,
  testRetryContract,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
} from '@ricochet/testing';

/** Tier delays no other test uses; no delay service runs: a copy in a tier stays there. */
const ladderText = '2300ms,2900ms';
const key = Buffer.from('K');
/** The previous owner's incarnation, named by the commit's fence and the state's writer header. */
const previousWriter = 'a-previous-owner-incarnation';

/** The source partition as a crash left it: A (offset 0), its follower B (1), a copy of A (2). */
interface CrashedState {
  readonly topic: string;
  readonly group: string;
  readonly dlq: string;
  /** Produces another copy of A (a redelivery), as a delay service would. */
  sendCopyOfA(tryCount: number): Promise<void>;
}

async function createIfAbsent(topics: readonly string[]): Promise<void> {
  const existing = new Set(await withAdmin((admin) => admin.listTopics()));
  const absent = topics.filter((topic) => !existing.has(topic));
  if (absent.length > 0) {
    await createTestTopics(absent, 1);
  }
}

function stateRecord(group: string, recordKey: string, value: BlockedKeysRecord): OutgoingRecord {
  return {
    topic: blockedKeysTopic(group),
    partition: 0,
    key: Buffer.from(recordKey),
    value: encodeBlockedKeysRecord(value),
    headers: { [blockedKeysWriterHeader]: previousWriter },
  };
}

/**
 * Commits the group's offset of `topic` partition 0 with `metadata`, as the previous owner did
 * before it died: a member of the group, joined for that alone, which reads nothing.
 */
async function commitAsPreviousOwner(
  group: string,
  topic: string,
  offset: string,
  metadata: CommitMetadata,
): Promise<void> {
  const consumer = kafkajsClientOf(testKafka()).consumer({ groupId: group, sessionTimeout: 6_000 });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async () => {},
    });
    await joined;
    await consumer.commitOffsets([
      { topic, partition: 0, offset, metadata: encodeCommitMetadata(metadata) },
    ]);
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Writes what a crash left: key K blocked on A (original offset 0) with B (offset 1) waiting,
 * believed (before the fence); the group committed before the copy of A at offset 2, with
 * `attempt` when the previous owner died calling the handler for it; `marker` when the previous
 * owner had written A's released marker and died before the entry moved on.
 */
async function writeCrashedState(options: {
  readonly attemptCrashes?: number;
  readonly marker?: boolean;
}): Promise<CrashedState> {
  const topic = uniqueName('key-strict-copies');
  const group = uniqueName('key-strict-copies');
  const dlq = uniqueName('key-strict-copies-dlq');
  await createIfAbsent(parseTierLadder(ladderText).map((tier) => tier.topic));
  await createTestTopics([topic, dlq], 1);
  await withAdmin((admin) =>
    admin.createTopics(
      [
        { topic: blockedKeysTopic(group), partitions: 1, configs: { 'cleanup.policy': 'compact' } },
        {
          topic: waitingTopic(group),
          partitions: 1,
          configs: { 'message.timestamp.type': 'LogAppendTime' },
        },
      ],
      { waitForLeaders: true },
    ),
  );
  const producedAt = Date.now();
  const copyOfA = (tryCount: number): OutgoingRecord => ({
    topic,
    partition: 0,
    key,
    value: Buffer.from('A'),
    headers: writeRetryContract(
      testRetryContract(topic, Date.now(), {
        tryCount,
        retryGroup: group,
        original: { topic, partition: 0, offset: '0', timestamp: producedAt },
      }),
    ),
  });
  await produceRecords([
    { topic, partition: 0, key, value: Buffer.from('A'), headers: {} },
    { topic, partition: 0, key, value: Buffer.from('B'), headers: {} },
    copyOfA(2),
  ]);
  const consumedB: ConsumedRecord = {
    topic,
    partition: 0,
    offset: '1',
    timestamp: String(producedAt),
    key,
    value: Buffer.from('B'),
    headers: {},
  };
  await produceRecords([toWaitingRecord(consumedB, group, '0', waitingTopic(group), 0)]);
  const now = Date.now();
  const state: OutgoingRecord[] = [
    stateRecord(group, entryRecordKey(topic, 0, key), {
      version: 1,
      kind: 'entry',
      topic,
      partition: 0,
      key: keyBase64(key),
      blocker: { offset: '0', since: now },
      waitingSince: now,
      followers: 1,
      lastFollowerOffset: '1',
      handledThroughOffset: '0',
      deadLetterFollowers: false,
      updatedAt: now,
      waitingFromOffset: '0',
    }),
  ];
  if (options.marker === true) {
    state.push(
      stateRecord(group, releasedRecordKey(topic, 0, '0'), {
        version: 1,
        kind: 'released',
        topic,
        partition: 0,
        key: keyBase64(key),
        offset: '0',
        releasedAt: now,
        reason: 'handler-crashed',
      }),
    );
  }
  await produceRecords(state);
  await commitAsPreviousOwner(group, topic, '2', {
    owner: 'a-previous-owner',
    guard: '10002',
    ...(options.attemptCrashes === undefined
      ? {}
      : { attempt: { offset: '2', crashes: options.attemptCrashes } }),
    blockedKeys: { writer: previousWriter, from: String(state.length) },
  });
  return {
    topic,
    group,
    dlq,
    sendCopyOfA: (tryCount) => produceRecords([copyOfA(tryCount)]),
  };
}

/** One handler call as the test saw it. */
interface Call {
  readonly value: string;
  readonly tryCount: number;
}

describe('main consumer, key-strict: two copies of one blocker (real broker)', function () {
  this.timeout(90_000);
  const running: { stop(): Promise<void> }[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((each) => each.stop()));
  });

  async function start(state: CrashedState): Promise<{
    calls: Call[];
    deadLetters: CollectedRecord[];
  }> {
    const collector = await collectTopic(state.dlq);
    running.push(collector);
    const calls: Call[] = [];
    const consumer = createMainConsumer({
      brokers: testBrokers(),
      groupId: state.group,
      topics: [state.topic],
      tiers: ladderText,
      dlqTopic: state.dlq,
      logger: testLogger('main'),
      ordering: 'key-strict',
      sessionTimeoutMilliseconds: 6_000,
      commitIntervalMilliseconds: 200,
      handler: (handled) => {
        calls.push({ value: handled.rawValue?.toString() ?? '', tryCount: handled.tryCount });
      },
    });
    await consumer.start();
    running.push(consumer);
    return { calls, deadLetters: collector.records };
  }

  function deadLettersOfA(deadLetters: readonly CollectedRecord[], topic: string) {
    return deadLetters
      .filter(
        (dead) =>
          dead.value?.toString() === 'A' &&
          dead.headers[RetryHeader.originalTopic]?.toString() === topic,
      )
      .map((dead) => ({
        tryCount: dead.headers[RetryHeader.tryCount]?.toString(),
        reason: dead.headers[RetryHeader.deadLetterReason]?.toString(),
      }));
  }

  it('dead-letters the live copy of a blocker the crash guard dead-lettered, unhandled, after its key went on (k0230)', async () => {
    const state = await writeCrashedState({ attemptCrashes: defaultMaxHandlerCrashes - 1 });
    const { calls, deadLetters } = await start(state);
    // The guard dead-letters the copy at offset 2 (it crashed the process once more); the key
    // goes on (onDeadLetter release): B is handled.
    await waitFor('B to be handled', () =>
      calls.some((call) => call.value === 'B') ? true : undefined,
    );
    expect(deadLettersOfA(deadLetters, state.topic)).to.deep.equal([
      { tryCount: '2', reason: 'handler-crashed' },
    ]);
    // The live copy, in a tier all along, comes back after B.
    await state.sendCopyOfA(3);
    await waitFor('the live copy of A to be dead-lettered', () =>
      deadLettersOfA(deadLetters, state.topic).length === 2 ? true : undefined,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; handler calls: ${JSON.stringify(calls)}`);
    });
    expect(deadLettersOfA(deadLetters, state.topic)).to.deep.equal([
      { tryCount: '2', reason: 'handler-crashed' },
      { tryCount: '3', reason: 'handler-crashed' },
    ]);
    // Give a wrong handling of the live copy time to show.
    await sleep(1_000);
    expect(calls, 'A never handled, so never after B').to.deep.equal([{ value: 'B', tryCount: 0 }]);
  });

  it("moves the key on when a blocker's marker was written and its entry was not (a crash between)", async () => {
    const state = await writeCrashedState({ marker: true });
    const { calls, deadLetters } = await start(state);
    // The copy at offset 2 finds the marker: dead-lettered unhandled, and the entry, which
    // still names A, moves on: B is handled.
    await waitFor('B to be handled', () =>
      calls.some((call) => call.value === 'B') ? true : undefined,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; dead letters of A: ${JSON.stringify(deadLettersOfA(deadLetters, state.topic))}`,
      );
    });
    expect(deadLettersOfA(deadLetters, state.topic)).to.deep.equal([
      { tryCount: '2', reason: 'handler-crashed' },
    ]);
    expect(calls).to.deep.equal([{ value: 'B', tryCount: 0 }]);
  });
});
