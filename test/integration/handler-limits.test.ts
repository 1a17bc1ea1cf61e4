import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { RetryHeader } from '@ricochet/core';
import {
  closedLocalPort,
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { ledgerCalls, startHandlerService, type HandlerService } from './handler-service.js';
import { recreateTopics } from './pipeline-fixture.js';

const slowHandler = fileURLToPath(new URL('../fixtures/slow-handler.mjs', import.meta.url));
/** A tier no record is redelivered from during a test: what lands there stays to be counted. */
const tiers = '4321s';
const tier = 'retry-4321s';

function startMain(topic: string, group: string, extra: readonly string[]): HandlerService {
  return startHandlerService({ handler: slowHandler, topic, group, tiers, extra });
}

describe('handler limits (real broker, real service processes)', function () {
  this.timeout(120_000);

  before(async () => {
    await recreateTopics([tier], 4);
  });

  it('fails a handler call longer than the session timeout once, as HandlerTimeoutError, and commits it once', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    const inTier = await collectTopic(tier);
    const { service, ledger } = startMain(topic, group, [
      '--session-timeout-ms',
      '6000',
      '--handler-timeout-ms',
      '2000',
    ]);
    try {
      const callMilliseconds = 10_000;
      await produceRecords([
        {
          topic,
          key: Buffer.from(`${topic}-slow`),
          value: Buffer.from(`sleep:${callMilliseconds}:fail`),
          headers: {},
        },
      ]);
      await waitFor(
        'the source offset committed',
        async () => ((await committedOffset(group, topic)) === '1' ? true : undefined),
        { timeoutMilliseconds: 30_000 },
      );
      // Long enough for the slow call to end (it began at least the 2 s handler timeout before
      // the commit) and for an evicted member to read the record again.
      await sleep(callMilliseconds + 1_000);
      const copies = inTier.records.filter((record) => record.key?.toString() === `${topic}-slow`);
      expect(copies, service.log()).to.have.length(1);
      expect(copies[0]!.headers[RetryHeader.errorClass]?.toString()).to.equal(
        'HandlerTimeoutError',
      );
      expect(ledgerCalls(ledger), 'the handler was called once').to.deep.equal([`${topic}-slow`]);
      expect(await committedOffset(group, topic)).to.equal('1');
    } finally {
      service.kill();
      await inTier.stop();
    }
  });

  it('keeps heartbeating while a handler call outlasts the session timeout, so the record is handled once', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    const { service, ledger } = startMain(topic, group, ['--session-timeout-ms', '6000']);
    try {
      await produceRecords([
        { topic, key: Buffer.from('long'), value: Buffer.from('sleep:10000:ok'), headers: {} },
        { topic, key: Buffer.from('next'), value: Buffer.from('quick'), headers: {} },
      ]);
      await waitFor(
        'both records committed',
        async () => ((await committedOffset(group, topic)) === '2' ? true : undefined),
        { timeoutMilliseconds: 40_000 },
      );
      await sleep(3_000);
      expect(ledgerCalls(ledger), service.log()).to.deep.equal(['long', 'next']);
    } finally {
      service.kill();
    }
  });

  it('keeps every partition flowing past a handler call that never settles', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 4);
    const inTier = await collectTopic(tier);
    const { service, ledger } = startMain(topic, group, ['--handler-timeout-ms', '2000']);
    try {
      await produceRecords([
        {
          topic,
          partition: 0,
          key: Buffer.from(`${topic}-hang`),
          value: Buffer.from('hang'),
          headers: {},
        },
        ...Array.from({ length: 200 }, (_, index) => ({
          topic,
          partition: index % 4,
          key: Buffer.from(`ok-${index}`),
          value: Buffer.from('quick'),
          headers: {},
        })),
      ]);
      await waitFor(
        'all 200 other records handled',
        () =>
          ledgerCalls(ledger).filter((key) => key.startsWith('ok-')).length >= 200
            ? true
            : undefined,
        { timeoutMilliseconds: 30_000 },
      );
      await waitFor('the hung record handed to its tier', () =>
        inTier.records.some((record) => record.key?.toString() === `${topic}-hang`)
          ? true
          : undefined,
      );
      expect(new Set(ledgerCalls(ledger)).size, service.log()).to.equal(201);
    } finally {
      service.kill();
      await inTier.stop();
    }
  });

  it('reports a stalled service as not ready, with the seconds without progress as a metric', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    await createTestTopics([topic], 1);
    const port = await closedLocalPort();
    const { service } = startMain(topic, group, [
      '--handler-timeout-ms',
      '60000',
      '--stall-timeout-ms',
      '2000',
      '--http-port',
      String(port),
      '--http-host',
      '127.0.0.1',
    ]);
    const readyz = async (): Promise<{ status: number; body: string }> => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: await response.text() };
    };
    try {
      await waitFor('the service ready', async () => {
        try {
          return (await readyz()).status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      });
      await produceRecords([
        { topic, key: Buffer.from('hang'), value: Buffer.from('hang'), headers: {} },
      ]);
      const stalled = await waitFor('readiness to report the stall', async () => {
        const answer = await readyz();
        return answer.status === 503 ? answer : undefined;
      });
      expect(stalled.body).to.contain('stalled');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const seconds = /^ricochet_seconds_without_progress\{role="main"\} (\S+)$/m.exec(
        metrics,
      )?.[1];
      expect(Number(seconds), metrics).to.be.above(2);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
    } finally {
      service.kill();
    }
  });
});
