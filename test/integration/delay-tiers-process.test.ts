import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { parseTierLadder, RetryHeader, type TierLadder } from '@ricochet/core';
import { createMainConsumer, type MainConsumer } from '@ricochet/main-consumer';
import {
  closedLocalPort,
  collectTopic,
  produceRecords,
  spawnCli,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  type CliProcess,
  type CollectedRecord,
} from '@ricochet/testing';
import { recreateTopics } from './pipeline-fixture.js';

/** Three tiers of odd delays no other test uses, so that their topics and groups are this run's. */
function privateLadder(first: number, step: number): TierLadder {
  const base = first + randomInt(1, 500);
  return parseTierLadder([base, base + step, base + 2 * step].map((ms) => `${ms}ms`).join(','));
}

interface Readyz {
  readonly ready: boolean;
  readonly reason?: string;
  readonly parts?: Record<string, { ready: boolean; reason?: string }>;
}

async function readyz(port: number): Promise<Readyz | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as Readyz;
  } catch {
    return undefined;
  }
}

interface Run {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly ladder: TierLadder;
  readonly deadLetters: CollectedRecord[];
  /** Handler call minus due-at of every redelivered call: never negative when nothing is early. */
  readonly lateness: number[];
  readonly calls: Map<string, number>;
  readonly main: MainConsumer<Buffer | null>;
  stop(): Promise<void>;
}

/** A main consumer whose handler always fails, over a topic, a DLQ and a ladder of this run's. */
async function startRun(ladder: TierLadder): Promise<Run> {
  const topic = uniqueName('orders');
  const dlqTopic = uniqueName('dlq');
  await recreateTopics([topic, ...ladder.map((tier) => tier.topic)], 3);
  await recreateTopics([dlqTopic], 1);
  const collector = await collectTopic(dlqTopic);
  const lateness: number[] = [];
  const calls = new Map<string, number>();
  const main = createMainConsumer<Buffer | null>({
    ...testConnection(),
    groupId: uniqueName('group'),
    topics: [topic],
    tiers: ladder,
    dlqTopic,
    logger: testLogger('main'),
    fromBeginning: true,
    handler: (record) => {
      const id = record.key?.toString() ?? '';
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (record.retry !== undefined) {
        lateness.push(Date.now() - record.retry.dueAt);
      }
      throw new Error(`always fails: ${id}`);
    },
  });
  await main.start();
  return {
    topic,
    dlqTopic,
    ladder,
    deadLetters: collector.records,
    lateness,
    calls,
    main,
    async stop() {
      await main.stop();
      await collector.stop();
    },
  };
}

function header(record: CollectedRecord, name: string): string | undefined {
  return record.headers[name]?.toString();
}

/** Every key dead-lettered at least once, each after its fourth failure, none early. */
async function expectAllDeadLettered(run: Run, keys: readonly string[]): Promise<void> {
  const deadLettered = await waitFor(
    `all ${keys.length} records in the dead-letter topic`,
    () => {
      const seen = new Set(run.deadLetters.map((record) => record.key?.toString()));
      return keys.every((key) => seen.has(key)) ? run.deadLetters : undefined;
    },
    { timeoutMilliseconds: 90_000 },
  );
  for (const record of deadLettered) {
    expect(header(record, RetryHeader.tryCount)).to.equal('4');
    expect(header(record, RetryHeader.deadLetterReason)).to.equal('retries-exhausted');
    expect(header(record, RetryHeader.originalTopic)).to.equal(run.topic);
  }
  expect(Math.min(...run.lateness), 'no redelivery before its due-at').to.be.at.least(0);
}

function delayProcess(args: readonly string[], dlqTopic: string, port: number): CliProcess {
  return spawnCli([
    'run',
    'delay',
    ...args,
    '--dlq',
    dlqTopic,
    '--brokers',
    testBrokers().join(','),
    '--http-port',
    String(port),
    '--http-host',
    '127.0.0.1',
    '--session-timeout-ms',
    '6000',
    '--log-format',
    'json',
  ]);
}

describe('one delay process serving several tiers (real broker)', function () {
  this.timeout(150_000);

  it('--all-tiers takes every record through all three tiers to the DLQ, never early, and stops cleanly', async () => {
    const ladder = privateLadder(1_000, 1_000);
    const run = await startRun(ladder);
    const port = await closedLocalPort();
    const tiersText = ladder.map((tier) => `${tier.delayMilliseconds}ms`).join(',');
    const delay = delayProcess(['--all-tiers', '--tiers', tiersText], run.dlqTopic, port);
    try {
      const ready = await waitFor(
        'the process ready: every tier assigned',
        async () => {
          const answer = await readyz(port);
          return answer?.ready === true ? answer : undefined;
        },
        { timeoutMilliseconds: 60_000 },
      );
      expect(Object.keys(ready.parts ?? {})).to.deep.equal(ladder.map((tier) => tier.topic));
      const keys = Array.from({ length: 30 }, (_, index) => `r${index}`);
      await produceRecords(
        keys.map((key) => ({ topic: run.topic, key: Buffer.from(key), value: null, headers: {} })),
      );
      await expectAllDeadLettered(run, keys);
      expect(run.lateness.length).to.be.at.least(keys.length * 3);
      const exitCode = await delay.stop();
      expect(exitCode, delay.log()).to.equal(0);
      for (const tier of ladder) {
        expect(delay.log()).to.include(`delay consumer of ${tier.topic} stopped`);
      }
    } finally {
      delay.kill();
      await run.stop();
    }
  });

  it('loses nothing when the process serving three tiers is killed -9 mid-way', async () => {
    const ladder = privateLadder(2_000, 1_500);
    const run = await startRun(ladder);
    const port = await closedLocalPort();
    const tierArgs = ladder.flatMap((tier) => ['--tier', tier.topic]);
    const first = delayProcess(tierArgs, run.dlqTopic, port);
    let second: CliProcess | undefined;
    try {
      await waitFor(
        'the first process ready',
        async () => ((await readyz(port))?.ready === true ? true : undefined),
        { timeoutMilliseconds: 60_000 },
      );
      const keys = Array.from({ length: 60 }, (_, index) => `k${index}`);
      await produceRecords(
        keys.map((key) => ({ topic: run.topic, key: Buffer.from(key), value: null, headers: {} })),
      );
      // Mid-way: records redelivered from the first tier and held in the second.
      await waitFor(
        'records in the second tier',
        () => ([...run.calls.values()].filter((calls) => calls >= 2).length > 0 ? true : undefined),
        { timeoutMilliseconds: 60_000 },
      );
      first.child.kill('SIGKILL');
      await first.exited;
      expect(run.deadLetters, 'nothing dead-lettered before the kill').to.have.length(0);
      second = delayProcess(tierArgs, run.dlqTopic, port);
      await expectAllDeadLettered(run, keys);
      const exitCode = await second.stop();
      expect(exitCode, second.log()).to.equal(0);
    } finally {
      first.kill();
      second?.kill();
      await run.stop();
    }
  });
});
