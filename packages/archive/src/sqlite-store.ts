import { existsSync, statSync, unlinkSync } from 'node:fs';
import { SqliteDatabase, type SqliteStatement } from './sqlite-driver.js';
import { ConfigError, RicochetError, type Logger } from '@ricochet/core';
import {
  ArchiveFileReplacedError,
  ArchiveSchemaError,
  ArchiveStoreError,
  ArchiveUnavailableError,
  messageOf,
} from './errors.js';
import { pendingMigrations, schemaProblem, versionTable, versionTableSql } from './migrations.js';
import { insertText, type Statement } from './queries.js';
import { sqliteDialect } from './query-builder.js';
import { insertParameters } from './records.js';
import type { StoreSettings } from './settings.js';
import { SqlArchiveStore, type Row } from './sql-store.js';
import { memoryPath } from './url.js';
import type { ArchiveInput, ArchiveStore } from './types.js';

/**
 * Opens an SQLite archive: created when missing for `create` access, otherwise it must exist at
 * this code's schema version. better-sqlite3 is synchronous, so the database's own lock wait
 * (busy_timeout) would block the event loop for as long as another process holds the write lock:
 * /healthz would stop answering. The busy timeout is therefore 0, and an operation that finds the
 * database locked is retried here, asynchronously with backoff, for at most `timeoutMs`.
 */
export async function openSqliteStore(
  path: string,
  settings: StoreSettings,
): Promise<ArchiveStore> {
  const existing = settings.access !== 'create';
  if (existing && (path === memoryPath || !existsSync(path))) {
    throw new ArchiveSchemaError(schemaProblem(undefined, path)!);
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new SqliteDatabase(path, {
      timeout: 0,
      readonly: settings.access === 'read',
      fileMustExist: existing,
    });
    const opened = db;
    if (!existing) {
      // WAL: readers (the CLI) never block the archiver's writes, nor the other way round.
      await retryWhileLocked(() => opened.pragma('journal_mode = WAL'), settings.timeoutMs);
    }
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
  settings.logger.debug('opened the SQLite archive', { path, access: settings.access });
  const identity = path === memoryPath ? undefined : fileIdentity(path);
  const store = new SqliteArchiveStore(db, path, identity, settings);
  if (existing) {
    await store.checkSchema().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  }
  return store;
}

/** Which file a path names: the same path holding another file is another archive. */
interface FileIdentity {
  readonly device: number;
  readonly inode: number;
}

function fileIdentity(path: string): FileIdentity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats === undefined ? undefined : { device: stats.dev, inode: stats.ino };
}

function sameFile(current: FileIdentity | undefined, opened: FileIdentity): boolean {
  return current?.device === opened.device && current.inode === opened.inode;
}

const companionSuffixes = ['-wal', '-shm'];

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

const firstLockRetryMs = 5;
const maxLockRetryMs = 100;

/**
 * Runs `work` (synchronous, failing at once with SQLITE_BUSY while another connection holds the
 * lock) until it gets through or `timeoutMs` has passed, yielding the event loop between tries.
 * A failed try changed nothing: better-sqlite3 rolls back the transaction it was in.
 */
async function retryWhileLocked<T>(work: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = firstLockRetryMs; ; wait = Math.min(wait * 2, maxLockRetryMs)) {
    try {
      return work();
    } catch (error) {
      const code = codeOf(error);
      const locked = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
      if (!locked || Date.now() + wait > deadline) {
        throw error;
      }
      await sleep(wait);
    }
  }
}

class SqliteArchiveStore extends SqlArchiveStore {
  readonly kind = 'sqlite';
  #closed = false;
  /** Set once the file at the path is not the one opened; every operation then fails with it. */
  #replaced: ArchiveFileReplacedError | undefined;
  readonly #statements = new Map<string, SqliteStatement>();
  /** The -wal and -shm files in use, by path: see #removeLeftovers. */
  readonly #companions = new Map<string, FileIdentity>();
  readonly #logger: Logger;
  readonly #timeoutMs: number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly path: string,
    private readonly identity: FileIdentity | undefined,
    settings: StoreSettings,
  ) {
    super(sqliteDialect, settings.now);
    this.#logger = settings.logger;
    this.#timeoutMs = settings.timeoutMs;
  }

  /** Fails unless the archive's tables exist at this code's schema version. */
  async checkSchema(): Promise<void> {
    const applied = await this.#run('open', () => {
      const tables = this.#all({
        text: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
        values: [versionTable],
      });
      if (tables.length === 0) {
        return undefined;
      }
      const [row] = this.#all({
        text: `SELECT max(version) AS version FROM ${versionTable}`,
        values: [],
      });
      return row?.version === null || row?.version === undefined ? undefined : Number(row.version);
    });
    const problem = schemaProblem(applied, this.path);
    if (problem !== undefined) {
      throw new ArchiveSchemaError(problem);
    }
  }

  async migrate(): Promise<void> {
    const pending = await this.#run('migrate', () =>
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
      this.#logger.info('applied archive migration', {
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
      const statement = this.#prepare(insertText(sqliteDialect, 1));
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

  protected read<T>(
    operation: string,
    statement: Statement,
    shape: (rows: Row[]) => T,
  ): Promise<T> {
    return this.#run(operation, () => shape(this.#all(statement)));
  }

  protected write(operation: string, statement: Statement): Promise<number> {
    return this.#run(operation, () => this.#execute(statement));
  }

  protected readTogether<K extends string>(
    operation: string,
    statements: Readonly<Record<K, Statement>>,
  ): Promise<Record<K, Row[]>> {
    const entries = Object.entries<Statement>(statements);
    return this.#run(operation, () =>
      this.db.transaction(
        () =>
          Object.fromEntries(
            entries.map(([name, statement]) => [name, this.#all(statement)]),
          ) as Record<K, Row[]>,
      )(),
    );
  }

  protected writeChecked<T>(
    operation: string,
    first: Statement,
    check: (rows: Row[]) => T,
    then: Statement | undefined,
  ): Promise<T> {
    return this.#run(operation, () =>
      this.db
        .transaction(() => {
          const result = check(this.#all(first));
          if (then !== undefined) {
            this.#execute(then);
          }
          return result;
        })
        .immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#statements.clear();
    this.db.close();
    if (this.#replaced !== undefined) {
      this.#removeLeftovers();
    }
  }

  /**
   * SQLite neither checkpoints nor removes the WAL of a database file that moved, so this
   * connection's -wal and -shm files stay at the path, and the next archive opened there would
   * replay the old file's pages into it. They are removed, but only while they are still the
   * files this connection used.
   */
  #removeLeftovers(): void {
    for (const [companion, identity] of this.#companions) {
      if (sameFile(fileIdentity(companion), identity)) {
        unlinkSync(companion);
        this.#logger.warn('removed what the replaced SQLite archive left at its path', {
          file: companion,
        });
      }
    }
  }

  /**
   * The file is checked before the work, so nothing is written to a file already gone, and after
   * it, so records written while it went are reported as not stored: the archiver then commits
   * nothing past them.
   */
  async #run<T>(operation: string, work: () => T): Promise<T> {
    if (this.#closed) {
      throw new ArchiveStoreError(`the sqlite archive is closed (${operation})`);
    }
    this.#checkFile();
    let result: T;
    try {
      result = await retryWhileLocked(work, this.#timeoutMs);
    } catch (error) {
      throw classify(error, operation);
    }
    this.#checkFile();
    this.#noteCompanions();
    return result;
  }

  /** Which -wal and -shm files this connection uses: SQLite makes them on first use. */
  #noteCompanions(): void {
    if (this.identity === undefined || this.#companions.size === companionSuffixes.length) {
      return;
    }
    for (const suffix of companionSuffixes) {
      const companion = `${this.path}${suffix}`;
      const identity = fileIdentity(companion);
      if (identity !== undefined && !this.#companions.has(companion)) {
        this.#companions.set(companion, identity);
      }
    }
  }

  #checkFile(): void {
    if (this.#replaced === undefined && this.identity !== undefined) {
      const current = fileIdentity(this.path);
      if (!sameFile(current, this.identity)) {
        this.#replaced = new ArchiveFileReplacedError(
          this.path,
          current === undefined ? 'deleted' : 'replaced',
        );
        this.#logger.error('the SQLite archive file is no longer the one opened', {
          error: this.#replaced,
        });
      }
    }
    if (this.#replaced !== undefined) {
      throw this.#replaced;
    }
  }

  #prepare(text: string): SqliteStatement {
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
