// The scenario the key-strict fault tests share, run by real service processes: one source topic,
// a two-tier ladder served by `ricochet run delay` processes, and `ricochet run main --ordering
// key-strict` processes whose handler (test/fixtures/key-strict-handler.mjs) writes every call to
// a ledger file. Key K's blocker fails twice and then succeeds; its followers and records of other
// keys are interleaved with it, in two waves (before and after the fault a test injects).
import { expect } from 'chai';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  blockedKeysTopic,
  decodeBlockedKeysRecord,
  parseTierLadder,
  RetryHeader,
  type BlockedKeyEntry,
  type TierLadder,
} from '@ricochet/core';
import {
  collectTopic,
  committedOffsets,
  committedToEnd,
  produceRecords,
  runCliCaptured,
  spawnCli,
  testBrokers,
  uniqueName,
  waitFor,
  type CliProcess,
  type CollectedRecord,
} from '@ricochet/testing';
import { newLedger, startHandlerService } from './handler-service.js';
import { recreateTopics } from './pipeline-fixture.js';

const keyStrictHandler = fileURLToPath(
  new URL('../fixtures/key-strict-handler.mjs', import.meta.url),
);

/** The key whose blocker fails twice; the others never fail. */
export const blockedKey = 'K';
const otherKeys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
/** K's records before the blocker: the blocker's offset is not the first of its partition. */
const leadingRecords = 2;
/** K's followers in both waves. */
const followerCount = 8;
/** Sessions short enough that a killed member's partitions move on within seconds. */
const sessionTimeoutMilliseconds = '6000';

/** One handler call, as the handler fixture wrote it to the ledger. */
export interface LedgerCall {
  readonly key: string | null;
  readonly sequence: number;
  readonly partition: number;
  readonly offset: string;
  readonly tryCount: number;
  readonly succeeded: boolean;
  readonly process: number;
  readonly at: number;
}

/** A record the scenario produced; `sequence` is unique in the scenario and rises with offset. */
interface ProducedRecord {
  readonly key: string;
  readonly sequence: number;
  readonly failures: number;
  readonly milliseconds: number;
  readonly wave: 1 | 2;
}

export interface KeyStrictFaultScenario {
  readonly topic: string;
  readonly group: string;
  readonly ladder: TierLadder;
  readonly deadLetters: readonly CollectedRecord[];
  /** The sequence number of K's blocker. */
  readonly blockerSequence: number;
  /** A `ricochet run main --ordering key-strict` process; stopped by `stop()` if still running. */
  startMain(): CliProcess;
  /** Waits until a main process was given partitions of the topic, so timings leave out its start. */
  waitUntilAssigned(service: CliProcess): Promise<void>;
  /** A `ricochet run delay` process for tier `tierIndex`; stopped by `stop()` if still running. */
  startDelay(tierIndex: number): CliProcess;
  produceWave(wave: 1 | 2): Promise<void>;
  calls(): LedgerCall[];
  /** K's latest entry in the blocked-keys topic (undefined: none, or a tombstone). */
  blockedEntry(): BlockedKeyEntry | undefined;
  /**
   * Waits until K is blocked with its first wave's followers waiting and every record of the other keys of
   * wave 1 succeeded, and checks that K's blocker has not succeeded yet: the other keys were not
   * delayed by K. Returns how long after the wave was produced the other keys were all done.
   */
  waitUntilBlocked(): Promise<{ otherKeysDoneMilliseconds: number }>;
  /** The sequence numbers of K's followers, in offset order. */
  readonly followerSequences: readonly number[];
  /** How many of K's followers have succeeded. */
  drainedFollowers(): number;
  /** Checks, right after a fault, that K's blocker has not succeeded yet: the fault hit K blocked. */
  expectBlockerNotSucceeded(what: string): void;
  /** Waits until every record succeeded, the group committed the topic to its end, and K is not blocked. */
  waitUntilSettled(timeoutMilliseconds?: number): Promise<void>;
  /**
   * Per-key order of first successful handling and nothing lost. Without `release`, K's blocker
   * succeeded on its third try, before any follower was called, and nothing was dead-lettered;
   * with it, no follower was called before the release was requested, and the blocker (and only
   * it) was dead-lettered `released-by-operator`, its handler not called again.
   */
  expectOrderKeptAndNothingLost(release?: { readonly requestedAt: number }): void;
  /** The logs of every process, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startKeyStrictFaultScenario(options: {
  /** A ladder of two tiers whose topics no other test uses (they are recreated empty). */
  readonly tiers: string;
  readonly partitions: number;
  /** How many times K's blocker fails before it succeeds (default 2). */
  readonly blockerFailures?: number;
  /** How many of K's eight followers come in the first wave (default 5); the rest in the second. */
  readonly firstWaveFollowers?: number;
  /** How long the handler takes on each of K's followers (default 0): a drain that lasts. */
  readonly followerMilliseconds?: number;
}): Promise<KeyStrictFaultScenario> {
  const ladder = parseTierLadder(options.tiers);
  const topic = uniqueName('orders');
  const group = uniqueName('strict');
  const dlq = uniqueName('dlq');
  const ledger = newLedger();
  await recreateTopics(
    ladder.map((tier) => tier.topic),
    options.partitions,
  );
  const created = await runCliCaptured([
    'topology',
    'create',
    '--brokers',
    testBrokers().join(','),
    '--tiers',
    options.tiers,
    '--dlq',
    dlq,
    '--topic',
    topic,
    '--group',
    group,
    '--partitions',
    String(options.partitions),
  ]);
  expect(created.code, created.stdout + created.stderr).to.equal(0);

  const deadLetters = await collectTopic(dlq);
  const blockedKeys = await collectTopic(blockedKeysTopic(group));
  const processes: Array<{ name: string; process: CliProcess }> = [];

  const firstWaveFollowers = options.firstWaveFollowers ?? 5;
  const produced: ProducedRecord[] = [];
  let sequence = 0;
  const next = (key: string, failures: number, wave: 1 | 2, milliseconds = 0): ProducedRecord => {
    sequence += 1;
    return { key, sequence, failures, wave, milliseconds };
  };
  const waves = new Map<1 | 2, ProducedRecord[]>();
  const interleave = (followers: number, wave: 1 | 2): ProducedRecord[] =>
    Array.from({ length: followers }, (_, index) => [
      next(otherKeys[(2 * index) % otherKeys.length]!, 0, wave),
      next(blockedKey, 0, wave, options.followerMilliseconds ?? 0),
      next(otherKeys[(2 * index + 1) % otherKeys.length]!, 0, wave),
    ]).flat();
  const firstWave = [
    ...Array.from({ length: leadingRecords }, () => next(blockedKey, 0, 1)),
    ...otherKeys.map((key) => next(key, 0, 1)),
    next(blockedKey, options.blockerFailures ?? 2, 1),
    ...interleave(firstWaveFollowers, 1),
  ];
  const blockerSequence = firstWave.find((record) => record.failures > 0)!.sequence;
  waves.set(1, firstWave);
  waves.set(2, interleave(followerCount - firstWaveFollowers, 2));
  const followerSequences = [...waves.values()]
    .flat()
    .filter((record) => record.key === blockedKey && record.sequence > blockerSequence)
    .map((record) => record.sequence);
  let firstWaveProducedAt = 0;

  const calls = (): LedgerCall[] =>
    existsSync(ledger)
      ? readFileSync(ledger, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as LedgerCall)
      : [];
  const succeededSequences = (): Set<number> =>
    new Set(
      calls()
        .filter((call) => call.succeeded)
        .map((call) => call.sequence),
    );
  const blockedEntry = (): BlockedKeyEntry | undefined => {
    const latest = new Map<string, BlockedKeyEntry | undefined>();
    for (const record of blockedKeys.records) {
      const recordKey = record.key?.toString() ?? '';
      const decoded = decodeBlockedKeysRecord(recordKey, record.value);
      if (decoded.kind === 'tombstone') {
        latest.set(recordKey, undefined);
      } else if (
        decoded.kind === 'entry' &&
        decoded.topic === topic &&
        decoded.key === Buffer.from(blockedKey).toString('base64')
      ) {
        latest.set(recordKey, decoded);
      }
    }
    return [...latest.values()].find((entry) => entry !== undefined);
  };
  const expectBlockerNotSucceeded = (what: string): void => {
    expect(succeededSequences().has(blockerSequence), what).to.equal(false);
  };
  const logs = (): string =>
    processes.map(({ name, process }) => `--- ${name}\n${process.log()}`).join('\n');
  const track = (name: string, process: CliProcess): CliProcess => {
    processes.push({ name, process });
    return process;
  };

  return {
    topic,
    group,
    ladder,
    deadLetters: deadLetters.records,
    blockerSequence,
    followerSequences,
    startMain: () =>
      track(
        'main',
        startHandlerService({
          handler: keyStrictHandler,
          topic,
          group,
          tiers: options.tiers,
          dlq,
          ledger,
          extra: [
            '--ordering',
            'key-strict',
            '--session-timeout-ms',
            sessionTimeoutMilliseconds,
            '--log-format',
            'json',
          ],
        }).service,
      ),
    startDelay: (tierIndex) =>
      track(
        `delay ${ladder[tierIndex]!.topic}`,
        spawnCli([
          'run',
          'delay',
          '--tier',
          ladder[tierIndex]!.topic,
          '--group',
          `${group}-delay-${tierIndex}`,
          '--dlq',
          dlq,
          '--brokers',
          testBrokers().join(','),
          '--http-port',
          '0',
          '--session-timeout-ms',
          sessionTimeoutMilliseconds,
          '--log-format',
          'json',
          // Its "holding partition" line tells a test that it holds the blocker.
          '--log-level',
          'debug',
        ]),
      ),
    async waitUntilAssigned(service) {
      await waitFor(
        'the main service to be given partitions',
        () => ((assignedPartitions(service, group, topic)?.length ?? 0) > 0 ? true : undefined),
        { timeoutMilliseconds: 30_000 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${logs()}`);
      });
    },
    async produceWave(wave) {
      const records = waves.get(wave)!;
      produced.push(...records);
      await produceRecords(
        records.map((record) => ({
          topic,
          key: Buffer.from(record.key),
          value: Buffer.from(
            JSON.stringify({
              sequence: record.sequence,
              failures: record.failures,
              milliseconds: record.milliseconds,
            }),
          ),
          headers: {},
        })),
      );
      if (wave === 1) {
        firstWaveProducedAt = Date.now();
      }
    },
    calls,
    blockedEntry,
    expectBlockerNotSucceeded,
    drainedFollowers() {
      const succeeded = succeededSequences();
      return followerSequences.filter((each) => succeeded.has(each)).length;
    },
    async waitUntilBlocked() {
      const otherKeysOfWave = (waves.get(1) ?? [])
        .filter((record) => record.key !== blockedKey)
        .map((record) => record.sequence);
      const otherKeysDoneAt = await waitFor(
        `K blocked with ${firstWaveFollowers} followers waiting, the other keys done`,
        () => {
          const entry = blockedEntry();
          const succeeded = succeededSequences();
          const othersDone = otherKeysOfWave.every((each) => succeeded.has(each));
          return entry !== undefined &&
            entry.blocker !== null &&
            entry.followers === firstWaveFollowers &&
            othersDone
            ? Math.max(
                ...calls()
                  .filter((call) => call.succeeded && otherKeysOfWave.includes(call.sequence))
                  .map((call) => call.at),
              )
            : undefined;
        },
        { timeoutMilliseconds: 30_000 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${logs()}`);
      });
      expectBlockerNotSucceeded('the other keys were done while K waited');
      return { otherKeysDoneMilliseconds: otherKeysDoneAt - firstWaveProducedAt };
    },
    async waitUntilSettled(timeoutMilliseconds = 45_000) {
      await waitFor(
        'every record handled, the topic committed to its end, K no longer blocked',
        async () => {
          const succeeded = succeededSequences();
          const blockerDeadLettered = deadLetters.records.length > 0;
          return produced.every(
            (record) =>
              succeeded.has(record.sequence) ||
              (record.sequence === blockerSequence && blockerDeadLettered),
          ) &&
            blockedEntry() === undefined &&
            (await committedToEnd(group, topic))
            ? true
            : undefined;
        },
        { timeoutMilliseconds },
      ).catch(async (error: unknown) => {
        const succeeded = succeededSequences();
        const state = {
          unhandled: produced
            .filter((record) => !succeeded.has(record.sequence))
            .map((record) => `${record.key}#${record.sequence}`),
          entry: blockedEntry(),
          committed: Object.fromEntries(await committedOffsets(group, topic)),
          deadLetters: deadLetters.records.length,
        };
        throw new Error(`${String(error)}\n${JSON.stringify(state)}\n${logs()}`);
      });
    },
    expectOrderKeptAndNothingLost(release) {
      const all = calls();
      const firstSuccesses = new Map<string, LedgerCall[]>();
      const seen = new Set<number>();
      for (const call of all) {
        if (call.succeeded && !seen.has(call.sequence)) {
          seen.add(call.sequence);
          const key = call.key ?? '';
          firstSuccesses.set(key, [...(firstSuccesses.get(key) ?? []), call]);
        }
      }
      expect(
        [...seen].sort((a, b) => a - b),
        'every record produced succeeded (nothing lost)',
      ).to.deep.equal(
        produced
          .map((record) => record.sequence)
          .filter((sequence) => release === undefined || sequence !== blockerSequence)
          .sort((a, b) => a - b),
      );
      for (const [key, keyCalls] of firstSuccesses) {
        const sequences = keyCalls.map((call) => call.sequence);
        expect(sequences, `key ${key}: first successes in offset order`).to.deep.equal(
          [...sequences].sort((a, b) => a - b),
        );
        const offsets = keyCalls.map((call) => BigInt(call.offset));
        expect(
          offsets.every((offset, index) => index === 0 || offset > offsets[index - 1]!),
          `key ${key}: original offsets rise (${offsets.join(', ')})`,
        ).to.equal(true);
      }
      const blockerCalls = all.filter((call) => call.sequence === blockerSequence);
      const followerCalls = all.filter(
        (call) => call.key === blockedKey && call.sequence > blockerSequence,
      );
      if (release === undefined) {
        expect(
          blockerCalls.find((call) => call.succeeded)?.tryCount,
          'the blocker succeeded on its third try',
        ).to.equal(2);
        const blockerSucceededAt = all.find(
          (call) => call.sequence === blockerSequence && call.succeeded,
        )!.at;
        expect(
          followerCalls.filter((call) => call.at < blockerSucceededAt),
          'no follower of K was handed to the handler before its blocker succeeded',
        ).to.deep.equal([]);
        expect(
          deadLetters.records.map((record) => record.key?.toString()),
          'nothing dead-lettered',
        ).to.deep.equal([]);
        return;
      }
      expect(
        followerCalls.filter((call) => call.at < release.requestedAt),
        'no follower of K was handed to the handler before the release',
      ).to.deep.equal([]);
      expect(
        blockerCalls.filter((call) => call.succeeded || call.at >= release.requestedAt),
        'the released blocker was not handed to the handler again',
      ).to.deep.equal([]);
      expect(
        deadLetters.records.map((record) => ({
          key: record.key?.toString(),
          sequence: (JSON.parse(record.value?.toString() ?? '{}') as { sequence?: number })
            .sequence,
          reason: record.headers[RetryHeader.deadLetterReason]?.toString(),
        })),
        'only the blocker dead-lettered, released by the operator',
      ).to.deep.equal([
        { key: blockedKey, sequence: blockerSequence, reason: 'released-by-operator' },
      ]);
    },
    logs,
    async stop() {
      for (const { process } of processes) {
        process.kill();
      }
      await Promise.all(processes.map(({ process }) => process.exited));
      await Promise.all([deadLetters.stop(), blockedKeys.stop()]);
    },
  };
}

/**
 * The partitions of `topic` group `group` gave a main process when it last joined, from its log
 * (its partition readers join private groups of their own, and log that too).
 */
export function assignedPartitions(
  service: CliProcess,
  group: string,
  topic: string,
): number[] | undefined {
  let assigned: number[] | undefined;
  for (const line of service.log().split('\n')) {
    if (line.includes('Consumer has joined the group')) {
      const entry = JSON.parse(line) as {
        groupId?: string;
        memberAssignment?: Record<string, number[]>;
      };
      if (entry.groupId === group) {
        assigned = entry.memberAssignment?.[topic] ?? [];
      }
    }
  }
  return assigned;
}
