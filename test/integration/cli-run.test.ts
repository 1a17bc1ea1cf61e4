import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RetryHeader } from '@ricochet/core';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  testBrokers,
  uniqueName,
  waitFor,
  withAdmin,
} from '@ricochet/testing';

const cliBin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

describe('ricochet run main (a real service process)', function () {
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
});
