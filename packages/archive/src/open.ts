import { ConfigError, positiveIntegerOption, type Logger } from '@ricochet/core';
import { openPostgresStore } from './postgres-store.js';
import { defaultTimeoutMs } from './settings.js';
import { openSqliteStore } from './sqlite-store.js';
import type { ArchiveStore } from './types.js';
import { parseStoreUrl, redactStoreUrl } from './url.js';

export interface ArchiveStoreOptions {
  readonly logger: Logger;
  /** Stamps archivedAt (epoch ms); Date.now by default. */
  readonly now?: () => number;
  /**
   * How long an operation waits for the database before failing with a retriable
   * ArchiveUnavailableError: a PostgreSQL connection, or another process's SQLite write lock.
   */
  readonly timeoutMs?: number;
}

/**
 * Opens the archive a URL names (see parseStoreUrl). Tables are not touched until `migrate()`,
 * which every process calls once at start-up.
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
