import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetryHeader } from '@ricochet/core';
import { openArchiveStore } from '@ricochet/archive';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  testLogger,
  testBrokers,
  uniqueName,
  waitFor,
  withAdmin,
} from '@ricochet/testing';

const cliBin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

describe('ricochet run (real service processes)', function () {
  this.timeout(60_000);

  it('loads a handler module, dead-letters what it rejects, commits what it handled, and stops cleanly on SIGTERM', async () => {
    const topic = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    await createTestTopics([topic, dlq], 1);
    const deadLetters = await collectTopic(dlq);
    const service = spawn(
      process.execPath,
      [
        cliBin,
        'run',
        'main',
        '--topic',
        topic,
        '--group',
        group,
        '--handler',
        handlerModule,
        '--dlq',
        dlq,
        '--from-beginning',
        '--brokers',
        testBrokers().join(','),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      await produceRecords([
        { topic, key: null, value: Buffer.from('fine-1'), headers: {} },
        { topic, key: null, value: Buffer.from('poison-2'), headers: {} },
        { topic, key: null, value: Buffer.from('fine-3'), headers: {} },
      ]);
      const [deadLetter] = await waitFor(
        'the poison record in the DLQ',
        () => deadLetters.records[0] && deadLetters.records,
      );
      expect(deadLetter!.value?.toString()).to.equal('poison-2');
      expect(deadLetter!.headers[RetryHeader.deadLetterReason]?.toString()).to.equal(
        'non-retryable-error',
      );
      await waitFor('all three offsets committed', async () => {
        const offsets = await withAdmin((admin) =>
          admin.fetchOffsets({ groupId: group, topics: [topic] }),
        );
        return offsets[0]?.partitions[0]?.offset === '3' ? true : undefined;
      });
      service.kill('SIGTERM');
      const exitCode = await new Promise<number | null>((resolve) => service.once('exit', resolve));
      expect(exitCode, log).to.equal(0);
      expect(log).to.contain('"level":"info"');
    } finally {
      if (service.exitCode === null) {
        service.kill('SIGKILL');
      }
      await deadLetters.stop();
    }
  });

  it('exits 2 naming the field when the handler module exports no function', async () => {
    const service = spawn(
      process.execPath,
      [
        cliBin,
        'run',
        'main',
        '--topic',
        't',
        '--group',
        'g',
        '--handler',
        fileURLToPath(new URL('../fixtures/no-handler.mjs', import.meta.url)),
        '--brokers',
        testBrokers().join(','),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => service.once('exit', resolve));
    expect(exitCode).to.equal(2);
    expect(log).to.match(/handler: .*exports no handler function/);
  });

  it('ricochet run dlq archives the dead-letter topic into SQLite and stops cleanly on SIGTERM', async () => {
    const dlq = uniqueName('dlq');
    await createTestTopics([dlq], 1);
    const storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-run-dlq-')), 'dlq.db')}`;
    await produceRecords([
      {
        topic: dlq,
        key: Buffer.from('k'),
        value: Buffer.from('{"order":1}'),
        headers: {
          [RetryHeader.originalTopic]: 'orders',
          [RetryHeader.tryCount]: '4',
          [RetryHeader.deadLetterReason]: 'retries-exhausted',
        },
      },
    ]);
    const service = spawn(
      process.execPath,
      [
        cliBin,
        'run',
        'dlq',
        '--dlq',
        dlq,
        '--store',
        storeUrl,
        '--group',
        uniqueName('archiver'),
        '--brokers',
        testBrokers().join(','),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    try {
      const page = await waitFor('the record in the archive', async () => {
        await store.migrate();
        const found = await store.list({}, { limit: 10 });
        return found.records.length === 1 ? found : undefined;
      });
      expect(page.records[0]).to.include({
        originalTopic: 'orders',
        tryCount: 4,
        deadLetterReason: 'retries-exhausted',
        searchableValue: '{\n  "order": 1\n}',
      });
      service.kill('SIGTERM');
      const exitCode = await new Promise<number | null>((resolve) => service.once('exit', resolve));
      expect(exitCode, log).to.equal(0);
    } finally {
      if (service.exitCode === null) {
        service.kill('SIGKILL');
      }
      await store.close();
    }
  });
});
