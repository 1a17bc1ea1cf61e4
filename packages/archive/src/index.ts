/**
 * @ricochet/archive: the dead-letter archive. One contract (ArchiveStore), two stores: SQLite,
 * embedded and the default, and PostgreSQL for a shared archive. Schema changes are versioned
 * migrations applied by `migrate()`.
 *
 * @example
 * ```ts
 * import { defaultStoreUrl, openArchiveStore } from '@ricochet/archive';
 *
 * // sqlite:./ricochet-dlq.db (the default), sqlite::memory:, or
 * // postgres://user:password@host:5432/database?schema=ricochet (schema is created by migrate)
 * const store = await openArchiveStore(process.env.RICOCHET_STORE ?? defaultStoreUrl, { logger });
 * await store.migrate();
 * await store.insert(records); // idempotent per dead-letter position and per original record
 * const page = await store.list({ originalTopic: 'orders', grep: 'timeout' }, { limit: 50 });
 * const older = await store.list({ originalTopic: 'orders' }, { limit: 50, cursor: page.nextCursor });
 * for await (const record of store.iterate({ errorClass: 'TimeoutError' })) {
 *   // ... replay it, then: await store.markReplayed(record.id, Date.now());
 * }
 * await store.close();
 * // A store that is down rejects with ArchiveUnavailableError (retriable: back off, try again).
 *
 * // Commands that only inspect or update an archive never create nor migrate one:
 * const reader = await openArchiveStore(url, { logger, access: 'read' }); // ArchiveSchemaError if absent or old
 * ```
 *
 * Tests run one shared suite (test/store-suite.ts) against SQLite (files under the OS temp
 * directory) and a real PostgreSQL: RICOCHET_TEST_POSTGRES_URL, by default
 * postgres://postgres@127.0.0.1:5432/test. Each PostgreSQL test works in a schema of its own
 * (`?schema=ricochet_test_<run>_<n>`, created by migrate) and the run drops them all.
 * Insert throughput: `npm run bench -- --only archive-insert-rate` (packages/bench).
 */
export type * from './types.js';
export {
  ArchiveFileReplacedError,
  ArchiveInputError,
  ArchiveRecordNotFoundError,
  ArchiveSchemaError,
  ArchiveStoreError,
  ArchiveUnavailableError,
  ReplayJobNotHeldError,
} from './errors.js';
export { auditedPurge } from './audited-purge.js';
export { openArchiveStore, type ArchiveStoreOptions } from './open.js';
export { parseStoreUrl, type StoreLocation } from './url.js';
export { checkLimit } from './paging.js';
export { recordAsJson } from './record-json.js';
export { defaultStatementTimeoutMs, defaultStoreUrl, type ArchiveAccess } from './settings.js';
