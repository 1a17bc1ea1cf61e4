import Database from 'better-sqlite3';
import { ConfigError, RicochetError, type Logger } from '@ricochet/core';
import {
  ArchiveRecordNotFoundError,
  ArchiveStoreError,
  ArchiveUnavailableError,
  messageOf,
} from './errors.js';
import { pendingMigrations, versionTable, versionTableSql } from './migrations.js';
import { checkLimit, decodeCursor, iteratePages, pageOf } from './paging.js';
import {
  getStatement,
  insertText,
  listStatement,
  markReplayedStatement,
  purgeStatement,
  statsStatements,
  type Statement,
} from './queries.js';
import { sqliteDialect as dialect } from './query-builder.js';
import { insertParameters, toArchivedRecord } from './records.js';
import { assembleStats, type CountRow } from './stats.js';
import { checkId, checkTime, type StoreSettings } from './settings.js';
import type {
  ArchiveFilter,
  ArchiveInput,
  ArchivePage,
  ArchiveStats,
  ArchiveStore,
  ArchivedRecord,
} from './types.js';

type Row = Record<string, unknown>;

/**
 * Opens (creating if needed) an SQLite archive. better-sqlite3 is synchronous: each operation
 * runs to completion on the event loop, and a writer waits at most `timeoutMs` for another
 * process's lock before failing with a retriable ArchiveUnavailableError.
 */
export function openSqliteStore(path: string, settings: StoreSettings): ArchiveStore {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: settings.timeoutMs });
    // WAL: readers (the CLI) never block the archiver's writes, nor the other way round.
    db.pragma('journal_mode = WAL');
    db.defaultSafeIntegers(true);
    db.function('ricochet_lower', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : null,
    );
  } catch (error) {
    db?.close();
    const failure = classify(error, 'open');
    // A path that cannot be opened (or is not a database) is a mistake to fix, not an outage.
    if (failure instanceof ArchiveUnavailableError && codeOf(error) !== 'SQLITE_CANTOPEN') {
      throw failure;
    }
    throw new ConfigError('store', `cannot open the SQLite archive ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  settings.logger.debug('opened the SQLite archive', { path });
  return new SqliteArchiveStore(db, settings.logger, settings.now);
}

class SqliteArchiveStore implements ArchiveStore {
  readonly kind = 'sqlite';
  #closed = false;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  async migrate(): Promise<void> {
    const pending = this.#run('migrate', () =>
      // IMMEDIATE takes the write lock first, so a second process starting at the same moment
      // waits here and then finds the migrations applied.
      this.db
        .transaction(() => {
          this.db.exec(versionTableSql.sqlite);
          const applied = this.#all({ text: `SELECT version FROM ${versionTable}`, values: [] });
          const todo = pendingMigrations(new Set(applied.map((row) => Number(row.version))));
          for (const migration of todo) {
            this.db.exec(migration.sqlite);
            this.#prepare(`INSERT INTO ${versionTable} VALUES (?, ?, ?)`).run(
              migration.version,
              migration.name,
              this.now(),
            );
          }
          return todo;
        })
        .immediate(),
    );
    for (const migration of pending) {
      this.logger.info('applied archive migration', {
        version: migration.version,
        name: migration.name,
      });
    }
  }

  async insert(records: readonly ArchiveInput[]): Promise<number> {
    if (!Array.isArray(records)) {
      throw new ConfigError('records', 'must be an array');
    }
    return this.#run('insert', () => {
      const archivedAt = this.now();
      const statement = this.#prepare(insertText(dialect, 1));
      const insertAll = this.db.transaction(() =>
        records.reduce(
          (stored, record, index) =>
            stored + statement.run(insertParameters(record, index, archivedAt, BigInt)).changes,
          0,
        ),
      );
      return insertAll.immediate();
    });
  }

  async get(id: number): Promise<ArchivedRecord | undefined> {
    const statement = getStatement(dialect, checkId(id));
    return this.#run('get', () => this.#all(statement).map(toArchivedRecord).at(0));
  }

  async list(
    filter: ArchiveFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ArchivePage> {
    const limit = checkLimit('limit', page.limit);
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const statement = listStatement(dialect, filter, limit + 1, beforeId);
    return this.#run('list', () => pageOf(this.#all(statement).map(toArchivedRecord), limit));
  }

  iterate(filter: ArchiveFilter, chunkSize?: number): AsyncIterable<ArchivedRecord> {
    return iteratePages((f, page) => this.list(f, page), filter, chunkSize);
  }

  async stats(filter: ArchiveFilter, period: 'hour' | 'day'): Promise<ArchiveStats> {
    const statements = statsStatements(dialect, filter, period);
    const count = (statement: Statement): CountRow[] => this.#all(statement);
    // One read transaction: the three groupings see the same snapshot.
    const rows = this.#run('stats', () =>
      this.db.transaction(() => ({
        byOriginalTopic: count(statements.byOriginalTopic),
        byErrorClass: count(statements.byErrorClass),
        byPeriod: count(statements.byPeriod),
      }))(),
    );
    return assembleStats(rows);
  }

  async markReplayed(id: number, at: number): Promise<void> {
    const statement = markReplayedStatement(dialect, checkId(id), checkTime('at', at));
    const changes = this.#run('markReplayed', () => this.#execute(statement));
    if (changes === 0) {
      throw new ArchiveRecordNotFoundError(id);
    }
  }

  async purge(filter: ArchiveFilter): Promise<number> {
    const statement = purgeStatement(dialect, filter);
    return this.#run('purge', () => this.#execute(statement));
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#statements.clear();
    this.db.close();
  }

  #run<T>(operation: string, work: () => T): T {
    if (this.#closed) {
      throw new ArchiveStoreError(`the sqlite archive is closed (${operation})`);
    }
    try {
      return work();
    } catch (error) {
      throw classify(error, operation);
    }
  }

  #prepare(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      // Filters make many shapes of statement; keep the cache from growing without bound.
      if (this.#statements.size >= 200) {
        this.#statements.clear();
      }
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #all(statement: Statement): Row[] {
    return this.#prepare(statement.text).all(...statement.values) as Row[];
  }

  #execute(statement: Statement): number {
    return this.#prepare(statement.text).run(...statement.values).changes;
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** Lock contention and I/O trouble pass; anything else is a bug or a broken file. */
function classify(error: unknown, operation: string): Error {
  if (error instanceof RicochetError) {
    return error;
  }
  const code = codeOf(error);
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/.test(code)) {
    return new ArchiveUnavailableError('sqlite', operation, error);
  }
  return new ArchiveStoreError(`the sqlite archive failed (${operation}): ${messageOf(error)}`, {
    cause: error,
  });
}
