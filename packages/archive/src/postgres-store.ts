import pg from 'pg';
import { ConfigError, type Logger } from '@ricochet/core';
import { ArchiveSchemaError, ArchiveStoreError } from './errors.js';
import {
  pendingMigrations,
  schemaProblem,
  versionTable,
  versionTableSql,
  type Migration,
} from './migrations.js';
import { classifyPostgresError } from './postgres-errors.js';
import { chunksOf, insertRows, type Queryable } from './postgres-insert.js';
import type { Statement } from './queries.js';
import { postgresDialect } from './query-builder.js';
import type { StoreSettings } from './settings.js';
import { SqlArchiveStore, type Row } from './sql-store.js';
import { redactStoreUrl } from './url.js';
import type { ArchiveInput, ArchiveStore } from './types.js';

/** First key of the migration advisory lock ('RIC'); the second is the schema's hash. */
const migrationLockNamespace = 0x524943;

/**
 * A PostgreSQL archive over a connection pool. Connecting is lazy: opening never fails for an
 * unreachable server, the first operation does, with a retriable ArchiveUnavailableError.
 */
export async function openPostgresStore(
  connectionString: string,
  schema: string | undefined,
  settings: StoreSettings,
): Promise<ArchiveStore> {
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: settings.timeoutMs,
    // A startup parameter, so every connection of the pool has it from its first statement.
    statement_timeout: settings.statementTimeoutMs,
    keepAlive: true,
    application_name: 'ricochet-archive',
  });
  // Without a listener, a server restart killing an idle connection would crash the process.
  pool.on('error', (error) => {
    settings.logger.warn('an idle archive connection failed', { error });
  });
  const store = new PostgresArchiveStore(pool, schema, settings.logger, settings.now);
  if (settings.access !== 'create') {
    const where = `${redactStoreUrl(connectionString)} (schema ${schema ?? 'from the search_path'})`;
    await store.checkSchema(where).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  }
  return store;
}

class PostgresArchiveStore extends SqlArchiveStore {
  readonly kind = 'postgres';
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string | undefined,
    private readonly logger: Logger,
    now: () => number,
  ) {
    super(postgresDialect, now);
  }

  /** Fails unless the archive's tables exist at this code's schema version. */
  async checkSchema(where: string): Promise<void> {
    const applied = await this.#run('open', async () => {
      const [table] = await query(this.pool, {
        text: 'SELECT to_regclass($1) IS NOT NULL AS found',
        values: [versionTable],
      });
      if (table?.found !== true) {
        return undefined;
      }
      const [row] = await query(this.pool, {
        text: `SELECT max(version) AS version FROM ${versionTable}`,
        values: [],
      });
      return row?.version === null || row?.version === undefined ? undefined : Number(row.version);
    });
    const problem = schemaProblem(applied, where);
    if (problem !== undefined) {
      throw new ArchiveSchemaError(problem);
    }
  }

  async migrate(): Promise<void> {
    const applied = await this.#transaction('migrate', 'BEGIN', async (client) => {
      // Migrations run once and may rewrite a large archive: the statement timeout is for the
      // archiver's inserts and the commands' queries, not for them.
      await client.query('SET LOCAL statement_timeout = 0');
      // Held until COMMIT: a second process starting at once waits, then finds nothing to do.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        migrationLockNamespace,
        this.schema ?? '',
      ]);
      if (this.schema !== undefined) {
        // The name was checked against a plain-identifier pattern: nothing to quote.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      }
      await client.query(versionTableSql.postgres);
      const { rows } = await client.query<Row>(`SELECT version FROM ${versionTable}`);
      const todo: Migration[] = pendingMigrations(new Set(rows.map((row) => Number(row.version))));
      for (const migration of todo) {
        await client.query(migration.postgres);
        await client.query(`INSERT INTO ${versionTable} VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          this.now(),
        ]);
      }
      return todo;
    });
    for (const migration of applied) {
      this.logger.info('applied archive migration', {
        version: migration.version,
        name: migration.name,
        schema: this.schema,
      });
    }
  }

  async insert(records: readonly ArchiveInput[]): Promise<number> {
    if (!Array.isArray(records)) {
      throw new ConfigError('records', 'must be an array');
    }
    // Chunks are validated as they are reached, inside the transaction: a bad record late in a
    // batch rolls back the chunks already sent, which is what makes the batch all or none.
    const chunks = chunksOf(records, this.now());
    const first = this.#step('insert', chunks);
    if (first === undefined) {
      return 0;
    }
    const second = this.#step('insert', chunks);
    if (second === undefined) {
      // One statement is atomic on its own; no BEGIN/COMMIT round trips.
      return this.#run('insert', () => insertRows(this.pool, first));
    }
    return this.#transaction('insert', 'BEGIN', async (client) => {
      let stored = (await insertRows(client, first)) + (await insertRows(client, second));
      for (const rows of chunks) {
        stored += await insertRows(client, rows);
      }
      return stored;
    });
  }

  protected async read<T>(
    operation: string,
    statement: Statement,
    shape: (rows: Row[]) => T,
  ): Promise<T> {
    return shape(await this.#run(operation, () => query(this.pool, statement)));
  }

  protected write(operation: string, statement: Statement): Promise<number> {
    return this.#run(operation, () => execute(this.pool, statement));
  }

  protected readTogether<K extends string>(
    operation: string,
    statements: Readonly<Record<K, Statement>>,
  ): Promise<Record<K, Row[]>> {
    const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    return this.#transaction(operation, begin, async (client) => {
      const rows: Partial<Record<K, Row[]>> = {};
      for (const name of Object.keys(statements) as K[]) {
        rows[name] = await query(client, statements[name]);
      }
      return rows as Record<K, Row[]>;
    });
  }

  protected writeChecked<T>(
    operation: string,
    first: Statement,
    check: (rows: Row[]) => T,
    then: Statement | undefined,
  ): Promise<T> {
    return this.#transaction(operation, 'BEGIN', async (client) => {
      const result = check(await query(client, first));
      if (then !== undefined) {
        await execute(client, then);
      }
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    await this.pool.end();
  }

  async #run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new ArchiveStoreError(`the postgres archive is closed (${operation})`);
    }
    try {
      return await work();
    } catch (error) {
      throw classifyPostgresError(error, operation);
    }
  }

  /** The next chunk, its validation failures classified like any other. */
  #step(operation: string, chunks: Iterator<unknown[][]>): unknown[][] | undefined {
    try {
      const next = chunks.next();
      return next.done === true ? undefined : next.value;
    } catch (error) {
      throw classifyPostgresError(error, operation);
    }
  }

  async #transaction<T>(
    operation: string,
    begin: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    return this.#run(operation, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // The work's error is what the caller needs; a failed ROLLBACK only means the
        // connection is unusable, so it is discarded from the pool instead of reused.
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }
}

async function query(target: Queryable, statement: Statement): Promise<Row[]> {
  return (await target.query<Row>(statement.text, statement.values)).rows;
}

async function execute(target: Queryable, statement: Statement): Promise<number> {
  return (await target.query(statement.text, statement.values)).rowCount ?? 0;
}
