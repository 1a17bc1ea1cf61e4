import { ConfigError, type Logger } from '@ricochet/core';

/** What every store is opened with, defaults filled in. */
export interface StoreSettings {
  readonly logger: Logger;
  /** Stamps archivedAt; tests pin it to place records in time. */
  readonly now: () => number;
  /** How long to wait for the database (a PostgreSQL connection, an SQLite lock). */
  readonly timeoutMs: number;
}

export const defaultTimeoutMs = 10_000;

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
