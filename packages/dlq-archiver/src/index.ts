/**
 * @ricochet/dlq-archiver: the terminal consumer of the dead-letter topic. Each record is stored
 * in the archive (SQLite or PostgreSQL) and only then committed.
 *
 * @example
 * ```ts
 * import { openArchiveStore } from '@ricochet/archive';
 * import { createDlqArchiver } from '@ricochet/dlq-archiver';
 *
 * const store = await openArchiveStore('sqlite:./ricochet-dlq.db', { logger });
 * const archiver = createDlqArchiver({
 *   brokers: ['127.0.0.1:29092'],
 *   store,
 *   searchableText: async (value) => value?.toString('utf8') ?? null,
 *   logger,
 * });
 * await archiver.start();
 * ```
 */
import { DlqArchiver } from './dlq-archiver.js';
import { compileDlqArchiverOptions, type DlqArchiverOptions } from './options.js';

export function createDlqArchiver(options: DlqArchiverOptions): DlqArchiver {
  return new DlqArchiver(compileDlqArchiverOptions(options));
}

export { DlqArchiver } from './dlq-archiver.js';
export type { CompiledDlqArchiverOptions, DlqArchiverOptions, SearchableText } from './options.js';
export { deadLetterFormats, type DeadLetterFormat } from './defaults.js';
