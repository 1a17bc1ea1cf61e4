import { randomBytes } from 'node:crypto';
import { openArchiveStore, type ArchiveInput, type ArchiveStore } from '@ricochet/archive';
import { defaultDeadLetterTopic } from '@ricochet/core';
import { postgresBackend, postgresUrl, sqliteBackend } from '../archive-backends.js';
import { benchLogger } from '../bench-logger.js';
import { formatRate, type BenchContext, type ResultRow, type ScenarioResult } from '../scenario.js';

/** A typical dead letter: a 1 KiB value, a few headers, the error fields set. */
function deadLetter(offset: number, value: Buffer): ArchiveInput {
  return {
    dlqTopic: defaultDeadLetterTopic,
    dlqPartition: offset % 6,
    dlqOffset: String(offset),
    originalTopic: 'orders',
    originalPartition: offset % 12,
    originalOffset: String(offset * 3),
    originalTimestamp: Date.now(),
    key: Buffer.from(`order-${offset}`),
    value,
    headers: [
      { name: 'try_count', value: Buffer.from('4') },
      { name: 'error-class', value: Buffer.from('TimeoutError') },
      { name: 'trace-id', value: randomBytes(16) },
    ],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TimeoutError',
    errorMessage: 'charge timed out after 5000 ms',
    errorStack: 'TimeoutError: charge timed out\n    at charge (billing.js:10:5)',
    firstFailureAt: Date.now() - 60_000,
    lastFailureAt: Date.now(),
    deadLetterReason: 'retries-exhausted',
    searchableValue: null,
  };
}

/**
 * Scenario 5: how fast each archive backend stores dead letters, in batches of 1, 100 and 1000
 * (the archiver stores each fetched batch in one insert). No baseline: the rows are absolute.
 */
export async function archiveInsertRate(context: BenchContext): Promise<ScenarioResult> {
  const runs = context.settings.archive.runs;
  const value = randomBytes(1024);
  let offset = 0;
  const rows: ResultRow[] = [];
  const measurements: Record<string, Record<string, number | string>> = {};
  for (const backend of [sqliteBackend(), postgresBackend(context.runId)]) {
    measurements[backend.name] = {};
    let store: ArchiveStore | undefined;
    try {
      store = await openArchiveStore(backend.url, {
        logger: benchLogger('archive'),
        timeoutMs: 3_000,
      });
      await store.migrate();
      for (const { batchSize, records } of runs) {
        const batches = Array.from({ length: records / batchSize }, () =>
          Array.from({ length: batchSize }, () => deadLetter((offset += 1), value)),
        );
        const startedAt = performance.now();
        for (const batch of batches) {
          await store.insert(batch);
        }
        const rate = records / ((performance.now() - startedAt) / 1000);
        measurements[backend.name]![`batch ${batchSize}`] = rate;
        rows.push({
          scenario: `archive insert, ${backend.name}, batches of ${batchSize}`,
          baseline: '-',
          ricochet: formatRate(rate),
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.progress(`archive insert rate on ${backend.name} failed: ${message}`);
      measurements[backend.name]!.failed = message;
      rows.push({
        scenario: `archive insert, ${backend.name}`,
        baseline: '-',
        ricochet: `failed: ${message}`,
      });
    } finally {
      await store?.close();
      await backend.cleanUp();
    }
  }
  return {
    id: 'archive-insert-rate',
    title: 'Archive insert rate',
    rows,
    notes: [
      `Dead letters with a 1 KiB value, three headers and the error fields, stored through the archive's own insert (${runs.map(({ batchSize, records }) => `${records.toLocaleString('en-US')} records in batches of ${batchSize}`).join(', ')}); SQLite in a file in WAL mode, PostgreSQL 15 on this machine over TCP (\`${new URL(postgresUrl).host}\`).`,
    ],
    measurements,
  };
}
