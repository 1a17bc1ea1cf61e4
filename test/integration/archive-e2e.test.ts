import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { NonRetryableError, RetryHeader } from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { createDlqArchiver, type DlqArchiver } from '@ricochet/dlq-archiver';
import {
  createTestTopics,
  produceRecords,
  runCliCaptured,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { startPipelineFixture, type PipelineFixture } from './pipeline-fixture.js';

const cli = (args: string[]) => runCliCaptured(args, { KAFKA_BROKERS: testBrokers().join(',') });

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('dead-letter archive end to end (real broker, real registry, SQLite)', function () {
  this.timeout(120_000);
  let pipeline: PipelineFixture;
  let storeUrl: string;
  let store: ArchiveStore;
  let archiver: DlqArchiver;

  before(async () => {
    pipeline = await startPipelineFixture();
    storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-archive-')), 'dlq.db')}`;
    store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    archiver = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic: pipeline.dlqTopic,
      groupId: uniqueName('archiver'),
      store,
      logger: testLogger('dlq'),
      searchableText: async (value) => value?.toString('utf8') ?? null,
    });
    await archiver.start();
  });

  after(async () => {
    await archiver?.stop();
    await store?.close();
    await pipeline?.stop();
  });

  it('archives records that exhausted their tiers, lists them, and replays one that then succeeds or returns through the tiers', async () => {
    const topic = uniqueName('orders');
    await createTestTopics([topic], 1);
    let healed = false;
    const calls = new Map<string, number[]>();
    await pipeline.startMain({
      topics: [topic],
      handler: (record) => {
        const id = record.key!.toString();
        calls.set(id, [...(calls.get(id) ?? []), record.tryCount]);
        if (!healed || id === 'still-broken') {
          throw new TypeError(`cannot ship ${id}`);
        }
      },
    });
    await produceRecords(
      ['will-heal', 'still-broken'].map((id) => ({
        topic,
        key: Buffer.from(id),
        value: Buffer.from(`{"order":"${id}"}`),
        headers: { trace: id },
      })),
    );
    const listed = await waitFor(
      'both records in the archive',
      async () => {
        const result = await cli(['dlq', 'list', '--store', storeUrl, '--topic', topic, '--json']);
        const records = (JSON.parse(result.stdout) as { records: Array<Record<string, unknown>> })
          .records;
        return records.length === 2 ? records : undefined;
      },
      { timeoutMilliseconds: 60_000 },
    );
    for (const record of listed) {
      expect(record).to.include({
        originalTopic: topic,
        tryCount: 4,
        deadLetterReason: 'retries-exhausted',
        errorClass: 'TypeError',
        status: 'archived',
      });
      expect(record.retryGroup).to.match(/^group-/);
    }
    const table = await cli([
      'dlq',
      'list',
      '--store',
      storeUrl,
      '--grep',
      'cannot ship will-heal',
    ]);
    expect(table.stdout).to.contain('retries-exhausted').and.contain(topic);
    expect(table.stdout.trim().split('\n')).to.have.length(2);

    healed = true;
    const ids = listed.map((record) => String(record.id));
    const replay = await cli(['dlq', 'replay', ...ids, '--store', storeUrl]);
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stdout).to.contain('replayed 2 records');
    await waitFor('the healed record to succeed after replay', () =>
      (calls.get('will-heal') ?? []).length === 5 ? true : undefined,
    );
    expect(calls.get('will-heal')!.at(-1), 'a replay starts with try_count reset').to.equal(0);
    await waitFor(
      'the still-broken replay to go through the tiers again and back to the archive',
      async () => {
        const result = await cli([
          'dlq',
          'list',
          '--store',
          storeUrl,
          '--key',
          'still-broken',
          '--json',
        ]);
        const records = (JSON.parse(result.stdout) as { records: unknown[] }).records;
        return records.length === 2 ? true : undefined;
      },
      { timeoutMilliseconds: 60_000 },
    );
    expect(calls.get('still-broken')).to.deep.equal([0, 1, 2, 3, 0, 1, 2, 3]);
    const again = await cli(['dlq', 'replay', ids[0]!, '--store', storeUrl, '--max-replays', '1']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("replayed 1 time already, the loop guard's limit is 1");
  });

  it('shows an Avro record decoded through the schema registry', async () => {
    const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
    const registry = new SchemaRegistry({ host: registryUrl });
    const subject = uniqueName('payment-value');
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Payment',
          namespace: 'ricochet.test',
          fields: [
            { name: 'amount', type: 'long' },
            { name: 'currency', type: 'string' },
          ],
        }),
      },
      { subject },
    );
    const topic = uniqueName('payments');
    await createTestTopics([topic], 1);
    await pipeline.startMain({
      topics: [topic],
      handler: () => {
        throw new NonRetryableError('currency not supported');
      },
    });
    await produceRecords([
      {
        topic,
        key: Buffer.from('pay-1'),
        value: await registry.encode(id, { amount: 1999, currency: 'XTS' }),
        headers: {},
      },
    ]);
    const [archived] = await waitFor('the payment in the archive', async () => {
      const result = await cli(['dlq', 'list', '--store', storeUrl, '--topic', topic, '--json']);
      const records = (JSON.parse(result.stdout) as { records: Array<{ id: number }> }).records;
      return records.length === 1 ? records : undefined;
    });
    const shown = await cli([
      'dlq',
      'show',
      String(archived!.id),
      '--store',
      storeUrl,
      '--registry',
      registryUrl,
    ]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout)
      .to.contain(`value (avro, schema id ${id})`)
      .and.contain('"currency": "XTS"')
      .and.contain('"amount": 1999');
    expect(shown.stdout).to.contain('non-retryable-error');
    const raw = await cli(['dlq', 'show', String(archived!.id), '--store', storeUrl]);
    expect(raw.stdout, 'without a registry the framed value is shown as bytes').to.match(
      /value \(binary/,
    );
  });

  it('archives each record exactly once when the archiver dies between storing and committing', async () => {
    const dlq = uniqueName('dlq');
    const group = uniqueName('archiver');
    await createTestTopics([dlq], 1);
    const crashStoreUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-crash-')), 'dlq.db')}`;
    const count = 25;
    await produceRecords(
      Array.from({ length: count }, (_, index) => ({
        topic: dlq,
        key: Buffer.from(`dead-${index}`),
        value: Buffer.from(String(index)),
        headers: {
          [RetryHeader.originalTopic]: 'orders',
          [RetryHeader.deadLetterReason]: 'retries-exhausted',
        },
      })),
    );
    const dying = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions',
        'ricochet-source',
        join(repositoryRoot, 'test/fixtures/archiver-that-dies-after-storing.ts'),
        crashStoreUrl,
        dlq,
        group,
      ],
      {
        cwd: repositoryRoot,
        env: { ...process.env, KAFKA_BROKERS: testBrokers().join(',') },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let dyingLog = '';
    dying.stderr!.on('data', (chunk: Buffer) => (dyingLog += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      dying.once('exit', (_code, exitSignal) => resolve(exitSignal)),
    );
    expect(signal, dyingLog).to.equal('SIGKILL');
    expect(dyingLog).to.match(/stored \d+, dying before the commit/);

    const crashStore = await openArchiveStore(crashStoreUrl, { logger: testLogger('archive') });
    const reports: Array<{ stored: number; duplicates: number }> = [];
    const restarted = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic: dlq,
      groupId: group,
      store: crashStore,
      sessionTimeoutMilliseconds: 6_000,
      logger: testLogger('dlq'),
      searchableText: async () => null,
      onArchived: (stored, duplicates) => reports.push({ stored, duplicates }),
    });
    await restarted.start();
    try {
      await waitFor('the restarted archiver to catch up', async () =>
        (await crashStore.stats({}, 'day')).total === count && reports.length > 0
          ? true
          : undefined,
      );
      const duplicatesSkipped = reports.reduce((sum, report) => sum + report.duplicates, 0);
      expect(duplicatesSkipped, 'the uncommitted batch was read again and skipped').to.be.above(0);
      const page = await crashStore.list({}, { limit: 100 });
      expect(page.records).to.have.length(count);
      expect(new Set(page.records.map((record) => record.dlqOffset)).size).to.equal(count);
    } finally {
      await restarted.stop();
      await crashStore.close();
    }
  });
});
