import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RetryHeader } from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import type { DlqArchiver } from '@ricochet/dlq-archiver';
import {
  committedOffset,
  createTestTopics,
  produceRecords,
  runCliCaptured,
  testBrokers,
  testLogger,
  testPostgresUrl,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

import { quickArchiver } from './archiver-fixture.js';

const postgresUrl = testPostgresUrl();

const cli = (args: string[]) => runCliCaptured(args, { KAFKA_BROKERS: testBrokers().join(',') });

/**
 * 10,000 characters that barely compress (random hex, and a non-ASCII run of three UTF-8 bytes a
 * character), so PostgreSQL cannot squeeze them under its B-tree entry limit of about 2.7 kB.
 */
function longText(label: string): string {
  return `${label}-${randomBytes(4_000).toString('hex')}-€${'ü€'.repeat(500)}`;
}

/** The columns the archive indexes, as a dead letter's headers give them. */
interface IndexedFields {
  readonly topic: string;
  readonly group: string;
  readonly errorClass: string;
  readonly reason: string;
}

const ordinary: IndexedFields = {
  topic: 'orders',
  group: 'billing',
  errorClass: 'TypeError',
  reason: 'retries-exhausted',
};

/** Each at its own original offset: the archive stores one record per original position and group. */
function deadLetter(dlqTopic: string, name: string, offset: number, fields: IndexedFields) {
  return {
    topic: dlqTopic,
    key: Buffer.from(name),
    value: Buffer.from(`value of ${name}`),
    headers: {
      [RetryHeader.originalTopic]: fields.topic,
      [RetryHeader.originalPartition]: '0',
      [RetryHeader.originalOffset]: String(offset),
      [RetryHeader.retryGroup]: fields.group,
      [RetryHeader.tryCount]: '4',
      [RetryHeader.errorClass]: fields.errorClass,
      [RetryHeader.errorMessage]: `failed ${name}`,
      [RetryHeader.deadLetterReason]: fields.reason,
    },
  };
}

interface Backend {
  readonly name: string;
  url(): string;
  dispose(): Promise<void>;
}

function postgresBackend(): Backend {
  const schema = `ricochet_long_${randomBytes(4).toString('hex')}`;
  return {
    name: 'PostgreSQL',
    url: () => {
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', schema);
      return url.toString();
    },
    dispose: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

function sqliteBackend(): Backend {
  // Made on first use, not when mocha loads the file: a --grep that skips these tests skips it.
  let folder: string | undefined;
  return {
    name: 'SQLite',
    url: () =>
      `sqlite:${join((folder ??= mkdtempSync(join(tmpdir(), 'ricochet-long-'))), 'dlq.db')}`,
    dispose: async () => {
      if (folder !== undefined) {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}

for (const makeBackend of [postgresBackend, sqliteBackend]) {
  const backend = makeBackend();
  describe(`dead letters whose indexed headers are 10,000 characters long (real broker, ${backend.name})`, function () {
    this.timeout(90_000);
    const dlqTopic = uniqueName('dlq-long');
    const group = uniqueName('archiver');
    const long = {
      topic: longText('topic'),
      group: longText('group'),
      errorClass: longText('error-class'),
      reason: longText('reason'),
    };
    // One long field each, then all four at once (the combined filter index holds them all),
    // then ordinary records the archiver must go on to.
    const cases: Array<readonly [string, IndexedFields]> = [
      ['long-topic', { ...ordinary, topic: long.topic }],
      ['long-group', { ...ordinary, group: long.group }],
      ['long-error-class', { ...ordinary, errorClass: long.errorClass }],
      ['long-reason', { ...ordinary, reason: long.reason }],
      ['all-long', long],
      ['after-1', { ...ordinary, group: 'billing-after-1' }],
      ['after-2', { ...ordinary, group: 'billing-after-2' }],
    ];
    let store: ArchiveStore;
    let archiver: DlqArchiver;

    before(async () => {
      await createTestTopics([dlqTopic], 1);
      store = await openArchiveStore(backend.url(), { logger: testLogger('archive') });
      archiver = quickArchiver(store, dlqTopic, group);
      await archiver.start();
      // One at a time: each is its own batch, so a refused one holds up the ones after it.
      for (const [offset, [name, fields]] of cases.entries()) {
        await produceRecords([deadLetter(dlqTopic, name, offset, fields)]);
      }
    });

    after(async () => {
      await archiver?.stop();
      await store?.close();
      await backend.dispose();
    });

    it('archives every record, commits past them all and stays ready', async () => {
      await waitFor(
        'every dead letter committed',
        async () =>
          (await committedOffset(group, dlqTopic)) === String(cases.length) ? true : undefined,
        { timeoutMilliseconds: 30_000 },
      );
      expect((await store.stats({}, 'day')).total).to.equal(cases.length);
      expect(archiver.readiness().ready).to.equal(true);
    });

    it('keeps each long header whole in the record’s headers', async () => {
      const page = await store.list({ key: 'all-long' }, { limit: 10 });
      expect(page.records).to.have.length(1);
      const headers = Object.fromEntries(
        page.records[0]!.headers.map((header) => [header.name, header.value.toString('utf8')]),
      );
      expect(headers).to.include({
        [RetryHeader.originalTopic]: long.topic,
        [RetryHeader.retryGroup]: long.group,
        [RetryHeader.errorClass]: long.errorClass,
        [RetryHeader.deadLetterReason]: long.reason,
      });
    });

    it('finds each record by its long header given to the CLI’s filters in full or as stored, and only it', async () => {
      // What `dlq stats` and the console's overview name a group by, and filter by when clicked.
      const stored = (await store.list({ key: 'all-long' }, { limit: 1 })).records[0]!;
      expect(stored.errorClass).to.match(/…\[truncated from \d+ bytes, sha256 [0-9a-f]{64}\]$/);
      const filters: Array<readonly [string, string, string[]]> = [
        ['--topic', stored.originalTopic!, ['all-long', 'long-topic']],
        ['--group', stored.retryGroup!, ['all-long', 'long-group']],
        ['--error-class', stored.errorClass!, ['all-long', 'long-error-class']],
        ['--reason', stored.deadLetterReason!, ['all-long', 'long-reason']],
        ['--topic', long.topic, ['all-long', 'long-topic']],
        ['--group', long.group, ['all-long', 'long-group']],
        ['--error-class', long.errorClass, ['all-long', 'long-error-class']],
        ['--reason', long.reason, ['all-long', 'long-reason']],
        ['--topic', long.topic.slice(0, -1), []],
        ['--group', long.group.slice(1), []],
      ];
      for (const [option, value, keys] of filters) {
        const result = await cli([
          'dlq',
          'list',
          '--store',
          backend.url(),
          '--json',
          `${option}=${value}`,
        ]);
        expect(result.code, result.stderr).to.equal(0);
        const listed = JSON.parse(result.stdout) as { records: Array<{ key: { utf8: string } }> };
        expect(
          listed.records.map((record) => record.key.utf8).sort(),
          `${option} (${value.length} characters)`,
        ).to.deep.equal(keys);
      }
    });
  });
}
