import pg from 'pg';
import { ConfigError, type Logger } from '@ricochet/core';
import {
  ArchiveRecordNotFoundError,
  ArchiveSchemaError,
  ArchiveStoreError,
  ReplayJobNotHeldError,
} from './errors.js';
import {
  pendingMigrations,
  schemaProblem,
  versionTable,
  versionTableSql,
  type Migration,
} from './migrations.js';
import {
  appendAuditStatement,
  claimJobStatement,
  createJobStatement,
  getJobStatement,
  listAuditStatement,
  listJobsStatement,
  toAuditEntry,
  toReplayJob,
  updateJobStatement,
} from './operations.js';
import { checkLimit, decodeCursor, iteratePages, keysetPage, pageOf } from './paging.js';
import { classifyPostgresError } from './postgres-errors.js';
import { chunksOf, insertRows, type Queryable } from './postgres-insert.js';
import {
  countStatement,
  getStatement,
  listAfterStatement,
  listStatement,
  markManyReplayedStatement,
  markReplayedStatement,
  replaysOfStatement,
  purgeStatement,
  statsStatements,
  type Statement,
} from './queries.js';
import { postgresDialect as dialect } from './query-builder.js';
import { toArchivedRecord, toNumber } from './records.js';
import { checkId, checkPosition, checkTime, type StoreSettings } from './settings.js';
import { assembleStats } from './stats.js';
import { redactStoreUrl } from './url.js';
import type {
  ArchiveFilter,
  ArchiveInput,
  ArchivePage,
  ArchiveStats,
  ArchiveStore,
  ArchivedRecord,
  AuditEntry,
  AuditFilter,
  AuditInput,
  AuditPage,
  ReplayJob,
  ReplayJobInput,
  ReplayJobPage,
  ReplayJobState,
  ReplayJobUpdate,
} from './types.js';

type Row = Record<string, unknown>;

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

class PostgresArchiveStore implements ArchiveStore {
  readonly kind = 'postgres';
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string | undefined,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

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

  async get(id: number): Promise<ArchivedRecord | undefined> {
    const statement = getStatement(dialect, checkId(id));
    const rows = await this.#run('get', () => query(this.pool, statement));
    return rows.map(toArchivedRecord).at(0);
  }

  async list(
    filter: ArchiveFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ArchivePage> {
    const limit = checkLimit('limit', page.limit);
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const statement = listStatement(dialect, filter, limit + 1, beforeId);
    const rows = await this.#run('list', () => query(this.pool, statement));
    return pageOf(rows.map(toArchivedRecord), limit);
  }

  iterate(filter: ArchiveFilter, chunkSize?: number): AsyncIterable<ArchivedRecord> {
    return iteratePages((f, page) => this.list(f, page), filter, chunkSize);
  }

  async stats(filter: ArchiveFilter, period: 'hour' | 'day'): Promise<ArchiveStats> {
    const statements = statsStatements(dialect, filter, period);
    // One snapshot for the four groupings, so their totals agree.
    const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    const rows = await this.#transaction('stats', begin, async (client) => ({
      byOriginalTopic: await query(client, statements.byOriginalTopic),
      byErrorClass: await query(client, statements.byErrorClass),
      byDeadLetterReason: await query(client, statements.byDeadLetterReason),
      byPeriod: await query(client, statements.byPeriod),
    }));
    return assembleStats(rows);
  }

  async markReplayed(id: number, at: number): Promise<void> {
    const statement = markReplayedStatement(dialect, checkId(id), checkTime('at', at));
    const changed = await this.#run('markReplayed', () => execute(this.pool, statement));
    if (changed === 0) {
      throw new ArchiveRecordNotFoundError(id);
    }
  }

  async purge(filter: ArchiveFilter): Promise<number> {
    const statement = purgeStatement(dialect, filter);
    return this.#run('purge', () => execute(this.pool, statement));
  }

  async count(filter: ArchiveFilter, throughId?: number): Promise<number> {
    const through = throughId === undefined ? undefined : checkPosition('throughId', throughId);
    const statement = countStatement(dialect, filter, through);
    const [row] = await this.#run('count', () => query(this.pool, statement));
    return toNumber(row?.count);
  }

  async listAfter(
    filter: ArchiveFilter,
    position: { readonly afterId: number; readonly throughId?: number; readonly limit: number },
  ): Promise<readonly ArchivedRecord[]> {
    const statement = listAfterStatement(
      dialect,
      filter,
      {
        afterId: checkPosition('afterId', position.afterId),
        throughId:
          position.throughId === undefined
            ? undefined
            : checkPosition('throughId', position.throughId),
      },
      checkLimit('limit', position.limit),
    );
    const rows = await this.#run('listAfter', () => query(this.pool, statement));
    return rows.map(toArchivedRecord);
  }

  async listReplaysOf(id: number, limit: number): Promise<readonly ArchivedRecord[]> {
    const statement = replaysOfStatement(dialect, checkId(id), checkLimit('limit', limit));
    const rows = await this.#run('listReplaysOf', () => query(this.pool, statement));
    return rows.map(toArchivedRecord);
  }

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    const statement = appendAuditStatement(dialect, entry, this.now());
    const [row] = await this.#run('appendAudit', () => query(this.pool, statement));
    return toAuditEntry(row!);
  }

  async listAudit(
    filter: AuditFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<AuditPage> {
    const limit = checkLimit('limit', page.limit);
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'a');
    const statement = listAuditStatement(dialect, filter, beforeId, limit + 1);
    const rows = await this.#run('listAudit', () => query(this.pool, statement));
    const { rows: entries, nextCursor } = keysetPage(rows.map(toAuditEntry), limit, 'a');
    return { entries, nextCursor };
  }

  async createReplayJob(job: ReplayJobInput, runner: string): Promise<ReplayJob> {
    const statement = createJobStatement(dialect, job, runner, this.now());
    const [row] = await this.#run('createReplayJob', () => query(this.pool, statement));
    return toReplayJob(row!);
  }

  async getReplayJob(id: number): Promise<ReplayJob | undefined> {
    const statement = getJobStatement(dialect, id);
    const rows = await this.#run('getReplayJob', () => query(this.pool, statement));
    return rows.map(toReplayJob).at(0);
  }

  async listReplayJobs(
    filter: { readonly state?: ReplayJobState },
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ReplayJobPage> {
    const limit = checkLimit('limit', page.limit);
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 'j');
    const statement = listJobsStatement(dialect, filter, beforeId, limit + 1);
    const rows = await this.#run('listReplayJobs', () => query(this.pool, statement));
    const { rows: jobs, nextCursor } = keysetPage(rows.map(toReplayJob), limit, 'j');
    return { jobs, nextCursor };
  }

  async claimReplayJob(
    id: number,
    runner: string,
    staleBefore: number,
  ): Promise<ReplayJob | undefined> {
    const statement = claimJobStatement(dialect, id, runner, this.now(), staleBefore);
    const rows = await this.#run('claimReplayJob', () => query(this.pool, statement));
    return rows.map(toReplayJob).at(0);
  }

  async updateReplayJob(id: number, runner: string, update: ReplayJobUpdate): Promise<ReplayJob> {
    const now = this.now();
    const job = updateJobStatement(dialect, id, runner, update, now);
    const marks =
      update.replayedIds.length === 0
        ? undefined
        : markManyReplayedStatement(dialect, update.replayedIds, now);
    return this.#transaction('updateReplayJob', 'BEGIN', async (client) => {
      // The job row first: its lock orders two runs saving at once, and a run that no longer
      // holds the job marks nothing.
      const [row] = await query(client, job);
      if (row === undefined) {
        throw new ReplayJobNotHeldError(id);
      }
      if (marks !== undefined) {
        await execute(client, marks);
      }
      return toReplayJob(row);
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
