import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { SqliteDatabase } from '@ricochet/archive/sqlite-driver';
import { ConfigError } from '@ricochet/core';
import {
  ArchiveFileReplacedError,
  ArchiveSchemaError,
  ArchiveStoreError,
  ArchiveUnavailableError,
} from '@ricochet/archive';
import { makeInput, rejectionOf, StoreFixture } from './fixtures.js';
import { describeArchiveStore } from './store-suite.js';
import { expectUnboundedRecordFound } from './unbounded-texts.js';
import { createVersionOneArchive, expectCopiesRemoved } from './version-one.js';

/** Each fresh URL is a new file in a temporary directory removed after the run. */
function temporaryFiles(): { dir: string; freshUrl: () => string; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'ricochet-archive-'));
  let files = 0;
  return {
    dir,
    freshUrl: () => `sqlite:${join(dir, `archive-${(files += 1)}.db`)}`,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describeArchiveStore('SQLite', temporaryFiles);

describe('SQLite archive store specifics', () => {
  // Made in a hook, not when mocha loads the file: a --grep that skips these tests skips it too.
  let files: ReturnType<typeof temporaryFiles>;
  let fixture: StoreFixture;

  before(() => {
    files = temporaryFiles();
  });

  beforeEach(() => {
    fixture = new StoreFixture(files.freshUrl());
  });

  afterEach(async () => {
    await fixture.closeAll();
  });

  after(async () => {
    await files.dispose();
  });

  it('keeps a file archive in WAL mode', async () => {
    const store = await fixture.open();
    await store.migrate();
    const raw = new SqliteDatabase(fixture.url.slice('sqlite:'.length), { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      raw.close();
    }
  });

  it('works in memory', async () => {
    const store = await fixture.open('sqlite::memory:');
    await store.migrate();
    expect(await store.insert([makeInput(), makeInput()])).to.equal(2);
    expect((await store.list({}, { limit: 10 })).records).to.have.length(2);
  });

  it('fails retriably while another process holds the write lock, then recovers', async () => {
    const store = await fixture.open(fixture.url, { timeoutMs: 100 });
    await store.migrate();
    const other = new SqliteDatabase(fixture.url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejectionOf(store.insert([makeInput()]), ArchiveUnavailableError);
      expect(error.retriable).to.equal(true);
      expect(error.code).to.equal('ARCHIVE_UNAVAILABLE');
      expect((error.cause as { code?: string }).code).to.match(/^SQLITE_BUSY/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.insert([makeInput()])).to.equal(1);
  });

  it('lets separate processes migrate one fresh file at the same time', async () => {
    const child = new URL('./migrate-child.ts', import.meta.url).pathname;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      ['1', '2', '3', '4'].map(async (offset) => {
        const args = ['--import', 'tsx', '--conditions', 'ricochet-source', child];
        return (await run(process.execPath, [...args, fixture.url, offset])).stdout;
      }),
    );
    expect(outputs).to.deep.equal(['1', '1', '1', '1']);
    const raw = new SqliteDatabase(fixture.url.slice('sqlite:'.length), { readonly: true });
    try {
      const versions = raw
        .prepare('SELECT version FROM ricochet_archive_schema_version ORDER BY version')
        .all();
      expect(versions).to.deep.equal([1, 2, 3, 4].map((version) => ({ version })));
      expect(raw.prepare('SELECT count(*) AS n FROM ricochet_archive_record').get()).to.deep.equal({
        n: 4,
      });
    } finally {
      raw.close();
    }
  });

  it('survives the collection of many dropped statements on every supported Node (the Node 24 better-sqlite3 12 abort)', async () => {
    const child = new URL('./statement-churn-child.ts', import.meta.url).pathname;
    const args = ['--import', 'tsx', '--conditions', 'ricochet-source', child];
    const { stdout } = await promisify(execFile)(process.execPath, args);
    expect(stdout).to.equal('survived 20000');
  });

  it('migrating a version 1 archive removes the copies of a record dead-lettered twice, keeping the first', async () => {
    const raw = new SqliteDatabase(fixture.url.slice('sqlite:'.length));
    try {
      await createVersionOneArchive('sqlite', async (sql) => raw.exec(sql));
    } finally {
      raw.close();
    }
    await expectCopiesRemoved(await fixture.open());
  });

  it('finds a record whose indexed texts were stored whole, before they were bounded, by those texts', async () => {
    const store = await fixture.open();
    const raw = new SqliteDatabase(fixture.url.slice('sqlite:'.length));
    try {
      await expectUnboundedRecordFound(store, async (sql) => raw.exec(sql));
    } finally {
      raw.close();
    }
  });

  it('keeps the event loop free while another connection holds the write lock, and stores once it is released', async () => {
    const store = await fixture.open();
    await store.migrate();
    const other = new SqliteDatabase(fixture.url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      const inserted = store.insert([makeInput()]);
      // The other connection can only release its lock if this process's event loop turns.
      await new Promise((resolve) => setTimeout(resolve, 300));
      other.exec('COMMIT');
      expect(await inserted).to.equal(1);
    } finally {
      clearInterval(ticker);
      if (other.inTransaction) {
        other.exec('ROLLBACK');
      }
      other.close();
    }
    expect(ticks, 'timer ticks while the insert waited for the lock').to.be.greaterThan(10);
  });

  for (const problem of ['deleted', 'replaced'] as const) {
    it(`refuses every operation once its file is ${problem} under it, and leaves nothing of it behind`, async () => {
      const path = fixture.url.slice('sqlite:'.length);
      const store = await fixture.open();
      await store.migrate();
      expect(await store.insert([makeInput()])).to.equal(1);
      if (problem === 'deleted') {
        unlinkSync(path);
      } else {
        const other = join(files.dir, 'other.db');
        copyFileSync(path, other);
        renameSync(other, path);
      }
      const error = await rejectionOf(store.insert([makeInput()]), ArchiveFileReplacedError);
      expect(error.retriable).to.equal(false);
      expect(error.message).to.include(path).and.include(problem);
      await rejectionOf(store.list({}, { limit: 1 }), ArchiveFileReplacedError);
      await store.close();
      const next = await fixture.open();
      await next.migrate();
      expect(
        (await next.list({}, { limit: 10 })).records,
        'nothing of the old file replayed into the next archive at the path',
      ).to.deep.equal([]);
    });
  }

  it('opens for reading or updating only an archive that exists at the current schema version, creating nothing', async () => {
    const missingPath = join(files.dir, 'mistyped.db');
    const missing = await rejectionOf(
      fixture.open(`sqlite:${missingPath}`, { access: 'read' }),
      ArchiveSchemaError,
    );
    expect(missing.message).to.include(missingPath).and.include('ricochet run dlq');
    await rejectionOf(
      fixture.open(`sqlite:${missingPath}`, { access: 'update' }),
      ArchiveSchemaError,
    );
    expect(existsSync(missingPath), 'no file created').to.equal(false);
    await rejectionOf(fixture.open('sqlite::memory:', { access: 'read' }), ArchiveSchemaError);

    const versionOnePath = join(files.dir, 'version-one.db');
    const raw = new SqliteDatabase(versionOnePath);
    try {
      await createVersionOneArchive('sqlite', async (sql) => raw.exec(sql));
    } finally {
      raw.close();
    }
    const old = await rejectionOf(
      fixture.open(`sqlite:${versionOnePath}`, { access: 'read' }),
      ArchiveSchemaError,
    );
    expect(old.message).to.include('schema version 1');

    const archiver = await fixture.open();
    await archiver.migrate();
    await archiver.insert([makeInput()]);
    const reader = await fixture.open(fixture.url, { access: 'read' });
    expect((await reader.list({}, { limit: 10 })).records).to.have.length(1);
    await rejectionOf(reader.insert([makeInput()]), ArchiveStoreError);
    const updater = await fixture.open(fixture.url, { access: 'update' });
    expect(await updater.purge({})).to.equal(1);
  });

  it('reports a path it cannot open, or a file that is not an archive, as ConfigError(store)', async () => {
    const missing = `sqlite:${join(files.dir, 'no-such-dir', 'archive.db')}`;
    expect((await rejectionOf(fixture.open(missing), ConfigError)).field).to.equal('store');
    const notDatabase = join(files.dir, 'not-a-database.db');
    writeFileSync(notDatabase, 'just some text, not SQLite '.repeat(100));
    const error = await rejectionOf(fixture.open(`sqlite:${notDatabase}`), ConfigError);
    expect(error.message).to.include(notDatabase);
  });
});
