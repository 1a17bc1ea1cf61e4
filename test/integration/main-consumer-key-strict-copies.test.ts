// Two copies of one key-strict record in play at once (order defect k0230 of issue 14): a crash
// leaves a copy of a record in a tier, and another copy of it (the blocker's, a drained
// follower, a key's first record) is dead-lettered while that one is still out. Each test writes
// the state a crash leaves by hand (the blocked-keys entry and its follower, the committed offset
// and its metadata), starts a main consumer on it, and sends the copy left in the tier itself:
// no process is killed, nothing is timed.
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
  type BlockedKeyEntry,
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
  testConnection,
  testKafka,
  testLogger,
  testRetryContract,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

/** Tier delays no other test uses; no delay service runs: a copy in a tier stays there. */
const ladderText = '2300ms,2900ms';
const key = Buffer.from('K');
/** The previous owner's incarnation, named by the commit's fence and the state's writer header. */
const previousWriter = 'a-previous-owner-incarnation';

/** The source partition as a crash left it: A (offset 0), its follower B (1), a copy of A (2). */
interface CrashedState extends TestTopics {
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
  const consumer = kafkajsClientOf(testKafka()).consumer({
    groupId: group,
    sessionTimeout: 6_000,
    // The disconnect waits for the fetch in flight, which finds nothing more to read.
    maxWaitTimeInMs: testMaxWaitMilliseconds,
  });
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

/** The source topic, group and dead-letter topic of one test, and its group's state topics. */
interface TestTopics {
  readonly topic: string;
  readonly group: string;
  readonly dlq: string;
}

async function createTestTopicsOfGroup(): Promise<TestTopics> {
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
  return { topic, group, dlq };
}

/** A record of K produced to partition 0 of `topic`: `value` itself, its offset its value's place. */
function produced(topic: string, value: string): OutgoingRecord {
  return { topic, partition: 0, key, value: Buffer.from(value), headers: {} };
}

/** A copy of the record of K at `offset` (its value `value`) back from try `tryCount`'s tier. */
function copyOf(
  { topic, group }: TestTopics,
  original: { readonly offset: string; readonly value: string; readonly producedAt: number },
  tryCount: number,
): OutgoingRecord {
  return {
    topic,
    partition: 0,
    key,
    value: Buffer.from(original.value),
    headers: writeRetryContract(
      testRetryContract(topic, Date.now(), {
        tryCount,
        retryGroup: group,
        original: { topic, partition: 0, offset: original.offset, timestamp: original.producedAt },
      }),
    ),
  };
}

/** The entry of K as the previous owner left it, over the fields every test's entry shares. */
function entryOfK(
  { topic }: TestTopics,
  fields: Pick<
    BlockedKeyEntry,
    'blocker' | 'handledThroughOffset' | 'attempt' | 'waitingSince' | 'updatedAt'
  >,
): BlockedKeyEntry {
  return {
    version: 1,
    kind: 'entry',
    topic,
    partition: 0,
    key: keyBase64(key),
    followers: 1,
    lastFollowerOffset: '1',
    deadLetterFollowers: false,
    waitingFromOffset: '0',
    ...fields,
  };
}

/** B (original offset 1), appended to the waiting topic behind A (0). */
async function appendB({ topic, group }: TestTopics, producedAt: number): Promise<void> {
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
  const names = await createTestTopicsOfGroup();
  const { topic, group } = names;
  const producedAt = Date.now();
  const copyOfA = (tryCount: number): OutgoingRecord =>
    copyOf(names, { offset: '0', value: 'A', producedAt }, tryCount);
  await produceRecords([produced(topic, 'A'), produced(topic, 'B'), copyOfA(2)]);
  await appendB(names, producedAt);
  const now = Date.now();
  const state: OutgoingRecord[] = [
    stateRecord(
      group,
      entryRecordKey(topic, 0, key),
      entryOfK(names, {
        blocker: { offset: '0', since: now },
        waitingSince: now,
        handledThroughOffset: '0',
        updatedAt: now,
      }),
    ),
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
  return { ...names, sendCopyOfA: (tryCount) => produceRecords([copyOfA(tryCount)]) };
}

/**
 * The source partition holds A (offset 0) and B (1) of K, and a copy of `left` (A or B) is in a
 * tier, its owner killed before the entry that would have recorded it: `sendCopy` sends it.
 */
interface CopyLeftState extends TestTopics {
  sendCopy(): Promise<void>;
}

/**
 * Writes what a crash left when A, K's first record (no entry), was handled carefully, sent to a
 * tier, and the process killed before the entry (a death the crash guard counts: its mark says
 * `maxHandlerCrashes - 1` before): nothing of K is in the state; the group committed before A.
 */
async function writeFirstRecordCopyLeft(): Promise<CopyLeftState> {
  const names = await createTestTopicsOfGroup();
  const producedAt = Date.now();
  await produceRecords([produced(names.topic, 'A'), produced(names.topic, 'B')]);
  await commitAsPreviousOwner(names.group, names.topic, '0', {
    owner: 'a-previous-owner',
    guard: '10000',
    attempt: { offset: '0', crashes: defaultMaxHandlerCrashes - 1 },
    blockedKeys: { writer: previousWriter, from: '0' },
  });
  return {
    ...names,
    sendCopy: () => produceRecords([copyOf(names, { offset: '0', value: 'A', producedAt }, 1)]),
  };
}

/**
 * Writes what a crash left when B, drained behind A (which succeeded), was called carefully, sent
 * to a tier, and the process killed before the entry moved past it: K's entry marks the call
 * (`maxHandlerCrashes - 1` crashes before), believed; the group committed past A and B.
 */
async function writeDrainedFollowerCopyLeft(): Promise<CopyLeftState> {
  const names = await createTestTopicsOfGroup();
  const producedAt = Date.now();
  await produceRecords([produced(names.topic, 'A'), produced(names.topic, 'B')]);
  await appendB(names, producedAt);
  const now = Date.now();
  await produceRecords([
    stateRecord(
      names.group,
      entryRecordKey(names.topic, 0, key),
      entryOfK(names, {
        blocker: null,
        waitingSince: now,
        handledThroughOffset: '0',
        updatedAt: now,
        attempt: { offset: '1', crashes: defaultMaxHandlerCrashes - 1, careful: true },
      }),
    ),
  ]);
  await commitAsPreviousOwner(names.group, names.topic, '2', {
    owner: 'a-previous-owner',
    guard: '10002',
    blockedKeys: { writer: previousWriter, from: '1' },
  });
  return {
    ...names,
    sendCopy: () => produceRecords([copyOf(names, { offset: '1', value: 'B', producedAt }, 1)]),
  };
}

/**
 * Writes what an owner left that dead-lettered B, drained behind A, uncalled (it had crashed the
 * process `maxHandlerCrashes` times), wrote B's marker and K's entry past B, and died before its
 * first commit named it (seed 2718's r0003653): K's entry marking B's careful call
 * (`maxHandlerCrashes - 1` crashes before) is believed; the marker and the entry past B are not.
 */
async function writeDrainedFollowerDeadLetteredUnbelieved(): Promise<TestTopics> {
  const names = await createTestTopicsOfGroup();
  const { topic, group } = names;
  const producedAt = Date.now();
  await produceRecords([produced(topic, 'A'), produced(topic, 'B')]);
  await appendB(names, producedAt);
  const now = Date.now();
  const marked = entryOfK(names, {
    blocker: null,
    waitingSince: now,
    handledThroughOffset: '0',
    updatedAt: now,
    attempt: { offset: '1', crashes: defaultMaxHandlerCrashes - 1, careful: true },
  });
  const { attempt: _dropped, waitingFromOffset: _none, ...pastB } = marked;
  const unbelieved = (recordKey: string, value: BlockedKeysRecord): OutgoingRecord => ({
    ...stateRecord(group, recordKey, value),
    headers: { [blockedKeysWriterHeader]: 'an-owner-that-died-before-its-first-commit' },
  });
  await produceRecords([
    stateRecord(group, entryRecordKey(topic, 0, key), marked),
    unbelieved(releasedRecordKey(topic, 0, '1'), {
      version: 1,
      kind: 'released',
      topic,
      partition: 0,
      key: keyBase64(key),
      offset: '1',
      releasedAt: now,
      reason: 'handler-crashed',
    }),
    unbelieved(entryRecordKey(topic, 0, key), {
      ...pastB,
      followers: 0,
      waitingSince: null,
      handledThroughOffset: '1',
    }),
  ]);
  await commitAsPreviousOwner(group, topic, '2', {
    owner: 'a-previous-owner',
    guard: '10002',
    blockedKeys: { writer: previousWriter, from: '1' },
  });
  return names;
}

/** One handler call as the test saw it. */
interface Call {
  readonly value: string;
  readonly tryCount: number;
}

describe('main consumer, key-strict: two copies of one record (real broker)', function () {
  this.timeout(90_000);
  const running: { stop(): Promise<void> }[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((each) => each.stop()));
  });

  async function start(state: TestTopics): Promise<{
    calls: Call[];
    deadLetters: CollectedRecord[];
  }> {
    const collector = await collectTopic(state.dlq);
    running.push(collector);
    const calls: Call[] = [];
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
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
    return deadLettersOf('A', deadLetters, topic);
  }

  function deadLettersOf(value: string, deadLetters: readonly CollectedRecord[], topic: string) {
    return deadLetters
      .filter(
        (dead) =>
          dead.value?.toString() === value &&
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

  it("dead-letters the copy left in a tier of a key's first record the crash guard dead-lettered, unhandled, after its key went on", async () => {
    const state = await writeFirstRecordCopyLeft();
    const { calls, deadLetters } = await start(state);
    // The guard dead-letters A (it crashed the process once more); B, with nothing held back, is
    // handled.
    await waitFor('B to be handled', () =>
      calls.some((call) => call.value === 'B') ? true : undefined,
    );
    expect(deadLettersOfA(deadLetters, state.topic)).to.deep.equal([
      { tryCount: undefined, reason: 'handler-crashed' },
    ]);
    // The copy the killed owner had sent to a tier comes back after B.
    await state.sendCopy();
    await waitFor('the copy of A to be dead-lettered', () =>
      deadLettersOfA(deadLetters, state.topic).length === 2 ? true : undefined,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; handler calls: ${JSON.stringify(calls)}`);
    });
    expect(deadLettersOfA(deadLetters, state.topic)).to.deep.equal([
      { tryCount: undefined, reason: 'handler-crashed' },
      { tryCount: '1', reason: 'handler-crashed' },
    ]);
    // Give a wrong handling of the copy time to show.
    await sleep(1_000);
    expect(calls, 'A never handled, so never after B').to.deep.equal([{ value: 'B', tryCount: 0 }]);
  });

  it('dead-letters the copy left in a tier of a drained follower the crash guard dead-lettered, unhandled, after its key went on', async () => {
    const state = await writeDrainedFollowerCopyLeft();
    const { calls, deadLetters } = await start(state);
    // The drain dead-letters B uncalled (it crashed the process once more), and the chain ends.
    await waitFor('B to be dead-lettered', () =>
      deadLettersOf('B', deadLetters, state.topic).length === 1 ? true : undefined,
    );
    expect(deadLettersOf('B', deadLetters, state.topic)).to.deep.equal([
      { tryCount: undefined, reason: 'handler-crashed' },
    ]);
    // C, the key's next record, is handled with nothing held back.
    await produceRecords([produced(state.topic, 'C')]);
    await waitFor('C to be handled', () =>
      calls.some((call) => call.value === 'C') ? true : undefined,
    );
    // The copy the killed owner had sent to a tier comes back after C.
    await state.sendCopy();
    await waitFor('the copy of B to be dead-lettered', () =>
      deadLettersOf('B', deadLetters, state.topic).length === 2 ? true : undefined,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; handler calls: ${JSON.stringify(calls)}`);
    });
    expect(deadLettersOf('B', deadLetters, state.topic)).to.deep.equal([
      { tryCount: undefined, reason: 'handler-crashed' },
      { tryCount: '1', reason: 'handler-crashed' },
    ]);
    await sleep(1_000);
    expect(calls, 'B never handled, so never after C').to.deep.equal([{ value: 'C', tryCount: 0 }]);
  });

  it('does not call again a drained follower the crash guard dead-lettered under an owner whose writes are not believed (G16: at most maxHandlerCrashes + 1 crashes)', async () => {
    const state = await writeDrainedFollowerDeadLetteredUnbelieved();
    const { calls, deadLetters } = await start(state);
    await waitFor('B to be dead-lettered or called', () =>
      deadLettersOf('B', deadLetters, state.topic).length > 0 ||
      calls.some((call) => call.value === 'B')
        ? true
        : undefined,
    );
    // Dead-lettered again, uncalled (a duplicate of the dead owner's dead letter), not called
    // from a count started anew.
    expect(deadLettersOf('B', deadLetters, state.topic)).to.deep.equal([
      { tryCount: undefined, reason: 'handler-crashed' },
    ]);
    // C, the key's next record, is handled: the chain is over.
    await produceRecords([produced(state.topic, 'C')]);
    await waitFor('C to be handled', () =>
      calls.some((call) => call.value === 'C') ? true : undefined,
    );
    expect(calls, 'B never called again').to.deep.equal([{ value: 'C', tryCount: 0 }]);
  });
});
