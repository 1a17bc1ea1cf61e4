import {
  SqliteDatabase,
  type SqliteOptions,
  type SqliteStatement,
} from '@ricochet/archive/sqlite-driver';
import type { PlannedOutcome } from './record-plan.js';

/** The environment variable naming the ledger file; the runner sets it for each main consumer. */
export const ledgerVariable = 'RICOCHET_CHAOS_LEDGER';

/** One handler call, as the handler wrote it down when it was called. */
export interface Invocation {
  /**
   * The ledger's own count of the calls, in the order they were written. The handler writes as it
   * is called, and SQLite takes one write at a time, so this orders the calls exactly (two calls
   * in the same millisecond too): the order in which the main consumers handed records over.
   */
  readonly sequence: number;
  readonly recordId: string;
  /** The record's key as the handler received it (UTF-8); null for a record without one. */
  readonly key: string | null;
  readonly tryCount: number;
  /** Epoch ms when the handler was called. */
  readonly invokedAt: number;
  /**
   * Epoch ms when the call returned or threw; null when it never did (the process was killed, or
   * crashed on purpose) or had not yet when the ledger was read.
   */
  readonly endedAt: number | null;
  /** The retry contract's due-at for a redelivery; null on the first delivery. */
  readonly dueAt: number | null;
  readonly pid: number;
  readonly outcome: PlannedOutcome;
  /** Where the delivery sits: on a first try (tryCount 0), in the source topic. */
  readonly partition: number;
  readonly offset: string;
  /**
   * Where the record was first produced: the delivery's own position on a first try, else the
   * retry contract's original position (a redelivery sits at a new offset of its own).
   */
  readonly originalPartition: number;
  readonly originalOffset: string;
}

/** What the handler writes as it is called; the ledger numbers it, and the end comes later. */
export type NewInvocation = Omit<Invocation, 'sequence' | 'endedAt'>;

const schema = `
CREATE TABLE IF NOT EXISTS invocation (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL,
  record_key TEXT,
  try_count INTEGER NOT NULL,
  invoked_at INTEGER NOT NULL,
  ended_at INTEGER,
  due_at INTEGER,
  pid INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  source_partition INTEGER NOT NULL,
  source_offset TEXT NOT NULL,
  original_partition INTEGER NOT NULL,
  original_offset TEXT NOT NULL
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
  readonly #endInvocation: SqliteStatement;
  readonly #countSend: SqliteStatement;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insertInvocation = db.prepare(
      'INSERT INTO invocation (record_id, record_key, try_count, invoked_at, due_at, pid, ' +
        'outcome, source_partition, source_offset, original_partition, original_offset) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#endInvocation = db.prepare('UPDATE invocation SET ended_at = ? WHERE sequence = ?');
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

  /** Writes a call as it starts; resolves to its sequence, for `recordEnd`. */
  recordInvocation(invocation: NewInvocation): number {
    const result = this.#insertInvocation.run(
      invocation.recordId,
      invocation.key,
      invocation.tryCount,
      invocation.invokedAt,
      invocation.dueAt,
      invocation.pid,
      invocation.outcome,
      invocation.partition,
      invocation.offset,
      invocation.originalPartition,
      invocation.originalOffset,
    );
    return Number(result.lastInsertRowid);
  }

  /** Writes when the call of that sequence returned or threw. */
  recordEnd(sequence: number, endedAt: number): void {
    this.#endInvocation.run(endedAt, sequence);
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
      sequence: Number(row.sequence),
      recordId: String(row.record_id),
      key: row.record_key === null ? null : String(row.record_key),
      tryCount: Number(row.try_count),
      invokedAt: Number(row.invoked_at),
      endedAt: row.ended_at === null ? null : Number(row.ended_at),
      dueAt: row.due_at === null ? null : Number(row.due_at),
      pid: Number(row.pid),
      outcome: String(row.outcome) as PlannedOutcome,
      partition: Number(row.source_partition),
      offset: String(row.source_offset),
      originalPartition: Number(row.original_partition),
      originalOffset: String(row.original_offset),
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
