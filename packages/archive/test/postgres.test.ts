import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import pg from 'pg';
import {
  ArchiveSchemaError,
  ArchiveStoreError,
  ArchiveUnavailableError,
  parseStoreUrl,
} from '@ricochet/archive';
import { testPostgresUrl } from '@ricochet/testing';
import { makeInput, rejectionOf, StoreFixture, type StoreTarget } from './fixtures.js';
import { describeArchiveStore } from './store-suite.js';
import { expectUnboundedRecordFound } from './unbounded-texts.js';
import { createVersionOneArchive, expectCopiesRemoved } from './version-one.js';

/**
 * The real PostgreSQL the suite runs against; RICOCHET_TEST_POSTGRES_URL overrides it. Every
 * test gets its own schema (`?schema=`, created by migrate) and the run drops them all.
 */
const baseUrl = testPostgresUrl();
const runPrefix = `ricochet_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function temporarySchemas(): StoreTarget & { readonly schemas: string[] } {
  const schemas: string[] = [];
  return {
    schemas,
    freshUrl: () => {
      const schema = `${runPrefix}_${schemas.length + 1}`;
      schemas.push(schema);
      return withSchema(baseUrl, schema);
    },
    dispose: () =>
      withClient(async (client) => {
        for (const schema of schemas.splice(0)) {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        }
      }),
  };
}

describe('PostgreSQL', () => {
  before(async function () {
    try {
      await withClient((client) => client.query('SELECT 1'));
    } catch (error) {
      throw new Error(
        `no PostgreSQL at ${baseUrl} (set RICOCHET_TEST_POSTGRES_URL, or start one: ` +
          'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)',
        { cause: error },
      );
    }
  });

  describeArchiveStore('PostgreSQL', temporarySchemas);

  describe('PostgreSQL archive store specifics', () => {
    const target = temporarySchemas();
    let fixture: StoreFixture;

    beforeEach(() => {
      fixture = new StoreFixture(target.freshUrl());
    });

    afterEach(async () => {
      await fixture.closeAll();
    });

    after(() => target.dispose());

    it('creates its schema, and records one version row however many migrate at once', async () => {
      const stores = await Promise.all([1, 2, 3].map(() => fixture.open()));
      await Promise.all(stores.map((store) => store.migrate()));
      const schema = target.schemas.at(-1) ?? '';
      const versions = await withClient((client) =>
        client.query(
          `SELECT version FROM ${schema}.ricochet_archive_schema_version ORDER BY version`,
        ),
      );
      expect(versions.rows).to.deep.equal([1, 2, 3, 4].map((version) => ({ version })));
    });

    it('migrating a version 1 archive removes the copies of a record dead-lettered twice, keeping the first', async () => {
      const location = parseStoreUrl(fixture.url);
      if (location.kind !== 'postgres' || location.schema === undefined) {
        throw new Error(`not a PostgreSQL URL with a schema: ${fixture.url}`);
      }
      const { schema } = location;
      await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
      const raw = new pg.Client({ connectionString: location.connectionString });
      await raw.connect();
      try {
        await createVersionOneArchive('postgres', (sql) => raw.query(sql));
      } finally {
        await raw.end();
      }
      await expectCopiesRemoved(await fixture.open());
    });

    it('finds a record whose indexed texts were stored whole, before they were bounded, by those texts', async () => {
      const location = parseStoreUrl(fixture.url);
      if (location.kind !== 'postgres') {
        throw new Error(`not a PostgreSQL URL: ${fixture.url}`);
      }
      const store = await fixture.open();
      const raw = new pg.Client({ connectionString: location.connectionString });
      await raw.connect();
      try {
        await expectUnboundedRecordFound(store, (sql) => raw.query(sql));
      } finally {
        await raw.end();
      }
    });

    it('keeps schemas apart', async () => {
      const [a, b] = [await fixture.open(), await fixture.open(target.freshUrl())];
      await Promise.all([a.migrate(), b.migrate()]);
      await a.insert([makeInput()]);
      expect((await b.list({}, { limit: 10 })).records).to.deep.equal([]);
    });

    it('fails retriably, cause attached, when nothing listens', async () => {
      const store = await fixture.open('postgres://postgres:s3cret@127.0.0.1:1/test', {
        timeoutMs: 1_000,
      });
      for (const attempt of [store.migrate(), store.insert([makeInput()]), store.get(1)]) {
        const error = await rejectionOf(attempt, ArchiveUnavailableError);
        expect(error.retriable).to.equal(true);
        expect(error.code).to.equal('ARCHIVE_UNAVAILABLE');
        expect(error.cause).to.be.instanceOf(Error);
        expect(error.message).not.to.include('s3cret');
      }
      await store.close();
      await store.close();
    });

    it('fails retriably when the server accepts but never answers', async () => {
      const sockets: Socket[] = [];
      const silent: Server = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const store = await fixture.open(`postgres://postgres@127.0.0.1:${port}/test`, {
          timeoutMs: 300,
        });
        const error = await rejectionOf(store.migrate(), ArchiveUnavailableError);
        expect(error.retriable).to.equal(true);
      } finally {
        sockets.forEach((socket) => socket.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('recovers when the server kills its connections', async () => {
      // A URL application_name wins over the store's own, so only this test's sessions match.
      const name = `ricochet_kill_${randomBytes(4).toString('hex')}`;
      const url = new URL(fixture.url);
      url.searchParams.set('application_name', name);
      const store = await fixture.open(url.toString());
      await store.migrate();
      await store.insert([makeInput()]);
      const killed = await withClient((client) =>
        client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [name],
        ),
      );
      expect(killed.rowCount).to.be.greaterThan(0);
      // The first attempt may meet the dead connection before the pool notices: retriable.
      try {
        await store.insert([makeInput()]);
      } catch (error) {
        expect(error).to.be.instanceOf(ArchiveUnavailableError);
        await store.insert([makeInput()]);
      }
      expect((await store.list({}, { limit: 10 })).records).to.have.length(2);
    });

    it('fails an insert held up by a lock after the statement timeout, retriably, and stores once the lock goes', async () => {
      const { schema } = parseStoreUrl(fixture.url) as { schema: string };
      const store = await fixture.open(fixture.url, { statementTimeoutMs: 500 });
      await store.migrate();
      const locker = new pg.Client({ connectionString: baseUrl });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${schema}.ricochet_archive_record IN ACCESS EXCLUSIVE MODE`);
        const startedAt = Date.now();
        const error = await rejectionOf(store.insert([makeInput()]), ArchiveUnavailableError);
        expect(Date.now() - startedAt).to.be.within(400, 5_000);
        expect((error.cause as { code?: string }).code).to.equal('57014');
        await locker.query('COMMIT');
      } finally {
        await locker.end();
      }
      expect(await store.insert([makeInput()])).to.equal(1);
    });

    it('opens for reading or updating only a schema the archiver created at the current version', async () => {
      for (const access of ['read', 'update'] as const) {
        const error = await rejectionOf(fixture.open(fixture.url, { access }), ArchiveSchemaError);
        expect(error.message).to.include('no archive at').and.include('ricochet run dlq');
      }
      const { schema } = parseStoreUrl(fixture.url) as { schema: string };
      const schemaExists = await withClient((client) =>
        client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]),
      );
      expect(schemaExists.rowCount, 'no schema created').to.equal(0);
      const archiver = await fixture.open();
      await archiver.migrate();
      await archiver.insert([makeInput()]);
      const reader = await fixture.open(fixture.url, { access: 'read' });
      expect((await reader.list({}, { limit: 10 })).records).to.have.length(1);
      await withClient((client) =>
        client.query(`DELETE FROM ${schema}.ricochet_archive_schema_version WHERE version >= 2`),
      );
      const old = await rejectionOf(
        fixture.open(fixture.url, { access: 'read' }),
        ArchiveSchemaError,
      );
      expect(old.message).to.include('schema version 1');
    });

    it('fails for good on a database that does not exist', async () => {
      const url = new URL(baseUrl);
      url.pathname = '/ricochet_no_such_database';
      const store = await fixture.open(url.toString());
      const error = await rejectionOf(store.migrate(), ArchiveStoreError);
      expect(error.retriable).to.equal(false);
      expect(error.message).to.include('3D000');
    });
  });
});
