import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { RetryHeader, tierTopicName } from '@ricochet/core';
import { openArchiveStore } from '@ricochet/archive';
import {
  collectTopic,
  createTestTopics,
  produceRecords,
  spawnCli,
  testLogger,
  testBrokers,
  uniqueName,
  waitFor,
  withAdmin,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

describe('ricochet run (real service processes)', function () {
  this.timeout(60_000);

  it('loads a handler module, dead-letters what it rejects, commits what it handled, and stops cleanly on SIGTERM', async () => {
    const topic = uniqueName('orders');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    await createTestTopics([topic, dlq], 1);
    const deadLetters = await collectTopic(dlq);
    const service = spawnCli([
      'run',
      'main',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
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
    ]);
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
        const offsets = await withAdmin((admin) => admin.fetchCommittedOffsets(group, topic));
        return offsets[0]?.offset === '3' ? true : undefined;
      });
      const exitCode = await service.stop();
      expect(exitCode, service.log()).to.equal(0);
      expect(service.log()).to.contain('"level":"info"');
    } finally {
      service.kill();
      await deadLetters.stop();
    }
  });

  it('exits 2 naming the field when the handler module exports no function', async () => {
    const service = spawnCli([
      'run',
      'main',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--topic',
      't',
      '--group',
      'g',
      '--handler',
      fileURLToPath(new URL('../fixtures/no-handler.mjs', import.meta.url)),
      '--brokers',
      testBrokers().join(','),
    ]);
    const exitCode = await service.exited;
    expect(exitCode).to.equal(2);
    expect(service.log()).to.match(/handler: .*exports no handler function/);
  });

  for (const [broker, what] of [
    ['127.0.0.1:1', 'a broker address where nothing listens'],
    ['test broker', 'a plaintext broker that refuses the SASL handshake'],
  ] as const) {
    it(`never logs the SASL password, even at debug level, when it fails to start against ${what}`, async () => {
      const password = 'pw-must-not-appear-8d1f';
      const service = spawnCli(
        [
          'run',
          'delay',
          '--tier',
          '5s',
          '--brokers',
          broker === 'test broker' ? testBrokers().join(',') : broker,
          '--sasl-mechanism',
          'plain',
          '--sasl-username',
          'svc',
          '--log-level',
          'debug',
          '--log-format',
          'json',
        ],
        { RICOCHET_SASL_PASSWORD: password },
      );
      try {
        const exitCode = await service.exited;
        const output = service.log();
        expect(exitCode, output).to.equal(1);
        expect(output, 'the settings were logged, redacted').to.include('"password":"***"');
        expect(output).to.include('failed to start');
        expect(output).to.not.include(password);
      } finally {
        service.kill();
      }
    });
  }

  it('exits 1 when a stop takes longer than --shutdown-timeout-ms, saying so', async () => {
    // An odd delay no other test uses, so the tier topic is this test's own.
    const tier = tierTopicName(randomInt(1_000_001, 9_000_000));
    await createTestTopics([tier], 1);
    const service = spawnCli([
      'run',
      'delay',
      '--tier',
      tier,
      '--group',
      uniqueName('delay'),
      '--brokers',
      testBrokers().join(','),
      '--shutdown-timeout-ms',
      '1',
    ]);
    try {
      await waitFor('the service to join', () =>
        service.log().includes('partitions assigned') ? true : undefined,
      );
      const exitCode = await service.stop();
      expect(exitCode, service.log()).to.equal(1);
      expect(service.log()).to.include('did not stop in time');
    } finally {
      service.kill();
    }
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
    const service = spawnCli([
      'run',
      'dlq',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--dlq',
      dlq,
      '--store',
      storeUrl,
      '--group',
      uniqueName('archiver'),
      '--brokers',
      testBrokers().join(','),
    ]);
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
      const exitCode = await service.stop();
      expect(exitCode, service.log()).to.equal(0);
    } finally {
      service.kill();
      await store.close();
    }
  });
});
