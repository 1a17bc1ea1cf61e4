import { ConfigError, type Logger } from '@ricochet/core';

/** What every store is opened with, defaults filled in. */
export interface StoreSettings {
  readonly logger: Logger;
  /** Stamps archivedAt; tests pin it to place records in time. */
  readonly now: () => number;
  /** How long to wait for the database (a PostgreSQL connection, an SQLite lock). */
  readonly timeoutMs: number;
  /** PostgreSQL only: the longest one statement may run, lock waits included. */
  readonly statementTimeoutMs: number;
  readonly access: ArchiveAccess;
}

/**
 * What a process does with the archive. `create` (the archiver): an SQLite file is created when
 * missing and `migrate()` brings the schema up to date. `read` (list, show, stats, export) and
 * `update` (replay marks, purge): the archive must already exist at this code's schema version,
 * and is never created nor migrated; `read` opens an SQLite file read-only.
 */
export type ArchiveAccess = 'create' | 'read' | 'update';

export const archiveAccesses: readonly ArchiveAccess[] = ['create', 'read', 'update'];

/** The embedded default: a file next to wherever the archiver runs. */
export const defaultStoreUrl = 'sqlite:./ricochet-dlq.db';

export const defaultTimeoutMs = 10_000;

/**
 * Long enough for any insert batch or query page, short enough that a lock nobody releases shows
 * as a failing store (not ready, nothing committed) instead of a silent stall.
 */
export const defaultStatementTimeoutMs = 30_000;

export function checkId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ConfigError('id', `must be a positive whole number, got ${String(id)}`);
  }
  return id;
}

export function checkTime(field: string, value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(field, `must be epoch milliseconds, got ${String(value)}`);
  }
  return value;
}

/** A keyset position: 0 (before every id) or an id. */
export function checkPosition(field: string, id: number): number {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ConfigError(field, `must be 0 or an archive id, got ${String(id)}`);
  }
  return id;
}
