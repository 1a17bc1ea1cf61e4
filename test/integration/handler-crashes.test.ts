import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { decodeCommitMetadata, RetryHeader } from '@ricochet/core';
import { crashGuardSlack } from '@ricochet/main-consumer/internal';
import {
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
} from '@ricochet/testing';
import { ledgerCalls, newLedger, startHandlerService } from './handler-service.js';

const crashingHandler = fileURLToPath(new URL('../fixtures/crashing-handler.mjs', import.meta.url));
/** Returns at once for every value but `poison...`: the crashing handler's records pass it. */
const orderHandler = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));
const maxHandlerCrashes = 2;

/**
 * Runs the service as a supervisor would (start it again whenever it ends, or end it with `kill`
 * when told to) until the poison record is dead-lettered; returns the dead letter and how many
 * times the service ended before that.
 */
async function superviseUntilDeadLettered(options: {
  readonly crash: string;
  /** Ends each run with SIGKILL once the poison record's call began (as a liveness probe would). */
  readonly killWhenCalled: boolean;
}): Promise<{ deadLetter: CollectedRecord; ends: number; ledger: string; log: string }> {
  const topic = uniqueName('orders');
  const group = uniqueName('group');
  const dlq = uniqueName('dlq');
  await createTestTopics([topic, dlq], 1);
  const deadLetters = await collectTopic(dlq);
  const ledger = newLedger();
  try {
    await produceRecords(
      ['before', 'poison', 'after'].map((key) => ({
        topic,
        key: Buffer.from(key),
        value: Buffer.from(key === 'poison' ? options.crash : 'fine'),
        headers: {},
      })),
    );
    let ends = 0;
    for (;;) {
      const { service } = startHandlerService({
        handler: crashingHandler,
        topic,
        group,
        tiers: '4321s',
        dlq,
        ledger,
        extra: [
          '--session-timeout-ms',
          '6000',
          '--max-handler-crashes',
          String(maxHandlerCrashes),
          '--handler-timeout-ms',
          '600000',
        ],
      });
      const callsBefore = ledgerCalls(ledger).filter((key) => key === 'poison').length;
      try {
        const event = await waitFor(
          'the service to end or the poison record to be dead-lettered',
          () => {
            if (deadLetters.records.length > 0) {
              return 'dead-lettered';
            }
            if (service.child.exitCode !== null || service.child.signalCode !== null) {
              return 'ended';
            }
            const calls = ledgerCalls(ledger).filter((key) => key === 'poison').length;
            return options.killWhenCalled && calls > callsBefore ? 'called' : undefined;
          },
          { timeoutMilliseconds: 60_000 },
        );
        if (event === 'dead-lettered') {
          // No crash loop: the service keeps running and handles the record after the poison.
          await waitFor('the records after the poison committed', async () =>
            (await committedOffset(group, topic)) === '3' ? true : undefined,
          );
          await sleep(2_000);
          expect(service.child.exitCode, service.log()).to.equal(null);
          return { deadLetter: deadLetters.records[0]!, ends, ledger, log: service.log() };
        }
        if (event === 'called') {
          service.child.kill('SIGKILL');
          await service.exited;
        }
        ends += 1;
        expect(ends, `ended ${ends} times without dead-lettering\n${service.log()}`).to.be.at.most(
          maxHandlerCrashes + 1,
        );
      } finally {
        service.kill();
      }
    }
  } finally {
    await deadLetters.stop();
  }
}

describe('a handler that crashes the process (real broker, real service processes)', function () {
  this.timeout(240_000);

  for (const crash of ['exit', 'throw-in-timer', 'unhandled-rejection']) {
    it(`dead-letters the record as handler-crashed after ${maxHandlerCrashes} watched crashes (${crash}), then keeps handling`, async () => {
      const { deadLetter, ends, ledger } = await superviseUntilDeadLettered({
        crash,
        killWhenCalled: false,
      });
      expect(deadLetter.key?.toString()).to.equal('poison');
      expect(deadLetter.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
        'handler-crashed',
      );
      // The first crash is not yet pinned on a record; each crash after it is counted.
      expect(ends).to.equal(maxHandlerCrashes + 1);
      expect(ledgerCalls(ledger).filter((key) => key === 'poison')).to.have.length(ends);
      expect(ledgerCalls(ledger)).to.include('after');
    });
  }

  it('counts a kill -9 during the call as a crash: the count lives in Kafka, not in the process', async () => {
    const { deadLetter, ends } = await superviseUntilDeadLettered({
      crash: 'hang',
      killWhenCalled: true,
    });
    expect(deadLetter.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
      'handler-crashed',
    );
    expect(ends).to.equal(maxHandlerCrashes + 1);
  });

  // The guard was the committed offset plus 10 000 whatever the owner had in hand: after a kill -9
  // the next owner handled 10 000 records one at a time, two commits each (the long key-strict
  // chaos profile could not finish). It failed so before the guard was bounded by the batch.
  it('bounds the careful stretch after a kill -9 by the batch the dead owner had in hand, plus the slack', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    const keys = ['before', 'hang', ...Array.from({ length: 30 }, (_, index) => `after-${index}`)];
    const produce = (batch: readonly string[]) =>
      produceRecords(
        batch.map((key) => ({
          topic,
          key: Buffer.from(key),
          value: Buffer.from(key === 'hang' ? 'hang' : 'fine'),
          headers: {},
        })),
      );
    await produce(keys);
    const committed = async () =>
      withAdmin(async (admin) => (await admin.fetchCommittedOffsets(group, topic))[0]);
    const dead = startHandlerService({
      handler: crashingHandler,
      topic,
      group,
      tiers: '4321s',
      // The next owner joins once the dead member's session is over.
      extra: ['--session-timeout-ms', '6000'],
    });
    try {
      await waitFor('the hanging call', () =>
        ledgerCalls(dead.ledger).includes('hang') ? true : undefined,
      );
      dead.service.child.kill('SIGKILL');
      await dead.service.exited;
    } finally {
      dead.service.kill();
    }
    const left = decodeCommitMetadata((await committed())?.metadata);
    const guard = Number(left?.guard ?? '0');
    expect(guard, 'the suspect range the dead owner left').to.be.above(1);
    expect(guard).to.be.at.most(keys.length + Number(crashGuardSlack));
    // Past the guard the next owner is back to normal: once idle, it commits with no guard.
    const beyond = Array.from(
      { length: Number(crashGuardSlack) + 10 },
      (_, index) => `later-${index}`,
    );
    await produce(beyond);
    const total = String(keys.length + beyond.length);
    const next = startHandlerService({ handler: orderHandler, topic, group, tiers: '4321s' });
    try {
      const idle = await waitFor(
        'every record committed',
        async () => {
          const found = await committed();
          return found?.offset === total ? found : undefined;
        },
        { timeoutMilliseconds: 120_000 },
      );
      expect(decodeCommitMetadata(idle.metadata)?.guard, next.service.log()).to.equal(undefined);
    } finally {
      next.service.kill();
    }
  });

  it('leaves the partition clean when it stops on SIGTERM, or is idle: the next owner has nothing to suspect', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    await produceRecords([
      { topic, key: Buffer.from('one'), value: Buffer.from('fine'), headers: {} },
    ]);
    const { service } = startHandlerService({
      handler: crashingHandler,
      topic,
      group,
      tiers: '4321s',
    });
    const committedMetadata = async () =>
      withAdmin(async (admin) => {
        const offsets = await admin.fetchCommittedOffsets(group, topic);
        return offsets[0];
      });
    try {
      const idle = await waitFor('the record committed', async () => {
        const committed = await committedMetadata();
        return committed?.offset === '1' ? committed : undefined;
      });
      expect(decodeCommitMetadata(idle.metadata)?.guard, 'idle').to.equal(undefined);
      expect(await service.stop(), service.log()).to.equal(0);
      const stopped = await committedMetadata();
      expect(stopped?.offset).to.equal('1');
      expect(decodeCommitMetadata(stopped?.metadata)?.guard, 'stopped').to.equal(undefined);
    } finally {
      service.kill();
    }
  });
});
