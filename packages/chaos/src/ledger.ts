import {
  SqliteDatabase,
  type SqliteOptions,
  type SqliteStatement,
} from '@ricochet/archive/sqlite-driver';
import type { PlannedOutcome } from './record-plan.js';

/** The environment variable naming the ledger file; the runner sets it for each main consumer. */
export const ledgerVariable = 'RICOCHET_CHAOS_LEDGER';

/** One handler call, as the handler wrote it down before returning or throwing. */
export interface Invocation {
  readonly recordId: string;
  readonly tryCount: number;
  /** Epoch ms when the handler was called. */
  readonly invokedAt: number;
  /** The retry contract's due-at for a redelivery; null on the first delivery. */
  readonly dueAt: number | null;
  readonly pid: number;
  readonly outcome: PlannedOutcome;
  readonly partition: number;
  readonly offset: string;
}

const schema = `
CREATE TABLE IF NOT EXISTS invocation (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL,
  try_count INTEGER NOT NULL,
  invoked_at INTEGER NOT NULL,
  due_at INTEGER,
  pid INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  source_partition INTEGER NOT NULL,
  source_offset TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS invocation_succeeded ON invocation (outcome, record_id);
CREATE TABLE IF NOT EXISTS sent (
  record_id TEXT PRIMARY KEY,
  sends INTEGER NOT NULL
) STRICT;
`;

/**
 * Lock waits: two main consumer processes write at once; a write must wait for the other rather
 * than fail, because a failed write would turn into a handler failure the plan did not ask for.
 */
const busyTimeoutMilliseconds = 30_000;

/**
 * The independent record of what happened: every handler call (written by the main consumer
 * processes) and every record produced (written by the runner). SQLite in WAL mode: a write is
 * in the file once the statement returns, so it survives a kill -9 of the writer.
 */
export class Ledger {
  readonly #db: SqliteDatabase;
  readonly #insertInvocation: SqliteStatement;
  readonly #countSend: SqliteStatement;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insertInvocation = db.prepare(
      'INSERT INTO invocation (record_id, try_count, invoked_at, due_at, pid, outcome, ' +
        'source_partition, source_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#countSend = db.prepare(
      'INSERT INTO sent (record_id, sends) VALUES (?, 1) ' +
        'ON CONFLICT (record_id) DO UPDATE SET sends = sends + 1',
    );
  }

  /** Creates the file and its tables (the runner, once, before any service starts). */
  static create(path: string): Ledger {
    const db = Ledger.#connect(path);
    db.exec(schema);
    return new Ledger(db);
  }

  /** Opens a ledger the runner created (the handler, in each main consumer process). */
  static open(path: string): Ledger {
    return new Ledger(Ledger.#connect(path, { fileMustExist: true }));
  }

  static #connect(path: string, options: SqliteOptions = {}): SqliteDatabase {
    const db = new SqliteDatabase(path, { ...options, timeout: busyTimeoutMilliseconds });
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: durable across a process kill (the WAL is written before the statement
    // returns); only a power loss could drop the last transactions, which this run never does.
    db.pragma('synchronous = NORMAL');
    return db;
  }

  recordInvocation(invocation: Invocation): void {
    this.#insertInvocation.run(
      invocation.recordId,
      invocation.tryCount,
      invocation.invokedAt,
      invocation.dueAt,
      invocation.pid,
      invocation.outcome,
      invocation.partition,
      invocation.offset,
    );
  }

  /** Counts one acknowledged (or possibly written) send of each id. */
  recordSent(recordIds: readonly string[]): void {
    this.#db.transaction(() => recordIds.forEach((id) => this.#countSend.run(id)))();
  }

  /** Ids with at least one successful handler call. */
  succeededIds(): Set<string> {
    const rows = this.#db
      .prepare("SELECT DISTINCT record_id FROM invocation WHERE outcome = 'succeeded'")
      .pluck()
      .all() as string[];
    return new Set(rows);
  }

  invocations(): Invocation[] {
    const rows = this.#db.prepare('SELECT * FROM invocation ORDER BY sequence').all() as Array<
      Record<string, unknown>
    >;
    return rows.map((row) => ({
      recordId: String(row.record_id),
      tryCount: Number(row.try_count),
      invokedAt: Number(row.invoked_at),
      dueAt: row.due_at === null ? null : Number(row.due_at),
      pid: Number(row.pid),
      outcome: String(row.outcome) as PlannedOutcome,
      partition: Number(row.source_partition),
      offset: String(row.source_offset),
    }));
  }

  /** How many times each id was sent; more than 1 only after a send that failed ambiguously. */
  sends(): Map<string, number> {
    const rows = this.#db.prepare('SELECT record_id, sends FROM sent').all() as Array<{
      record_id: string;
      sends: number;
    }>;
    return new Map(rows.map((row) => [row.record_id, row.sends]));
  }

  close(): void {
    this.#db.close();
  }
}
