import { ConfigError, positiveIntegerOption, type Logger } from '@ricochet/core';
import { openPostgresStore } from './postgres-store.js';
import {
  archiveAccesses,
  defaultStatementTimeoutMs,
  defaultTimeoutMs,
  type ArchiveAccess,
} from './settings.js';
import { openSqliteStore } from './sqlite-store.js';
import type { ArchiveStore } from './types.js';
import { parseStoreUrl, redactStoreUrl } from './url.js';

export interface ArchiveStoreOptions {
  readonly logger: Logger;
  /** Stamps archivedAt (epoch ms); Date.now by default. */
  readonly now?: () => number;
  /**
   * How long an operation waits for the database before failing with a retriable
   * ArchiveUnavailableError: a PostgreSQL connection, or another process's SQLite write lock
   * (waited for between asynchronous retries, so the event loop keeps turning).
   */
  readonly timeoutMs?: number;
  /**
   * PostgreSQL: the longest one statement may run, waiting for locks included; it then fails
   * with a retriable ArchiveUnavailableError. Default defaultStatementTimeoutMs (30 s).
   * Migrations are exempt: they run once and may take long on a large archive.
   */
  readonly statementTimeoutMs?: number;
  /** What the process does with the archive (see ArchiveAccess); `create` by default. */
  readonly access?: ArchiveAccess;
}

/**
 * Opens the archive a URL names (see parseStoreUrl). With `create` access (the archiver) tables
 * are not touched until `migrate()`, which it calls once at start-up. With `read` or `update`
 * access the archive must exist at this code's schema version, or this fails with
 * ArchiveSchemaError: commands that inspect the archive never create nor migrate it.
 */
export async function openArchiveStore(
  url: string,
  options: ArchiveStoreOptions,
): Promise<ArchiveStore> {
  if (typeof url !== 'string') {
    throw new ConfigError('store', 'must be a URL string');
  }
  const location = parseStoreUrl(url);
  const settings = {
    logger: options.logger.child({ store: location.kind }),
    now: options.now ?? Date.now,
    timeoutMs: positiveIntegerOption('timeoutMs', options.timeoutMs, defaultTimeoutMs),
    statementTimeoutMs: positiveIntegerOption(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      defaultStatementTimeoutMs,
    ),
    access: accessOption(options.access),
  };
  if (location.kind === 'sqlite') {
    return openSqliteStore(location.path, settings);
  }
  settings.logger.debug('using the PostgreSQL archive', {
    url: redactStoreUrl(location.connectionString),
    schema: location.schema,
  });
  return openPostgresStore(location.connectionString, location.schema, settings);
}

function accessOption(access: unknown): ArchiveAccess {
  if (access === undefined) {
    return 'create';
  }
  if (!archiveAccesses.includes(access as ArchiveAccess)) {
    throw new ConfigError('access', `must be one of ${archiveAccesses.join(', ')}`);
  }
  return access as ArchiveAccess;
}
