import { expect } from 'chai';
import type { ArchiveStore } from '@ricochet/archive';
import { migrations, versionTable, versionTableSql } from '../src/migrations.js';

type Backend = 'sqlite' | 'postgres';

/**
 * An archive as version 1 left it: the same record (billing, orders[2]@41) dead-lettered three
 * times at three positions, plus one record stored once, one without a retry group and one with
 * malformed retry headers that claim the same position. Runs each
 * statement through `execute`, the backend's raw connection.
 */
export async function createVersionOneArchive(
  backend: Backend,
  execute: (sql: string) => Promise<unknown>,
): Promise<void> {
  const first = migrations.find((migration) => migration.version === 1);
  if (first === undefined) {
    throw new Error('migration 1 is gone');
  }
  await execute(versionTableSql[backend]);
  await execute(first[backend]);
  await execute(`INSERT INTO ${versionTable} VALUES (1, '${first.name}', 0)`);
  const rows = [
    `('dlq', 0, 10, 'orders', 2, 41, 'billing', 'first copy', 'retries-exhausted')`,
    `('dlq', 0, 11, 'orders', 2, 42, 'billing', 'another record', 'retries-exhausted')`,
    `('dlq', 1, 12, 'orders', 2, 41, 'billing', 'second copy', 'retries-exhausted')`,
    `('dlq', 0, 13, 'orders', 2, 41, NULL, 'no group', 'retries-exhausted')`,
    `('dlq', 0, 14, 'orders', 2, 41, 'billing', 'third copy', 'non-retryable-error')`,
    `('dlq', 0, 15, 'orders', 2, 41, 'billing', 'malformed claim', 'malformed-retry-headers')`,
  ];
  await execute(
    'INSERT INTO ricochet_archive_record (dlq_topic, dlq_partition, dlq_offset, original_topic, ' +
      'original_partition, original_offset, retry_group, error_message, dead_letter_reason, ' +
      'headers, archived_at) ' +
      `VALUES ${rows.map((row) => row.replace(/\)$/, `, '[]', 0)`)).join(', ')}`,
  );
}

/** What a store migrated from createVersionOneArchive must hold: the first copy only. */
export async function expectCopiesRemoved(store: ArchiveStore): Promise<void> {
  await store.migrate();
  const { records } = await store.list({}, { limit: 10 });
  expect(records.map((record) => record.errorMessage)).to.deep.equal([
    'malformed claim',
    'no group',
    'another record',
    'first copy',
  ]);
}
