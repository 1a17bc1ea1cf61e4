import { expect } from 'chai';
import type { ArchiveStore } from '@ricochet/archive';
import { migrations, versionTable, versionTableSql } from '../src/migrations.js';

type Backend = 'sqlite' | 'postgres';

/**
 * An archive as version 1 left it: the same record (billing, orders[2]@41) dead-lettered three
 * times at three positions, plus one record stored once and one without a retry group. Runs each
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
    `('dlq', 0, 10, 'orders', 2, 41, 'billing', 'first copy')`,
    `('dlq', 0, 11, 'orders', 2, 42, 'billing', 'another record')`,
    `('dlq', 1, 12, 'orders', 2, 41, 'billing', 'second copy')`,
    `('dlq', 0, 13, 'orders', 2, 41, NULL, 'no group')`,
    `('dlq', 0, 14, 'orders', 2, 41, 'billing', 'third copy')`,
  ];
  await execute(
    'INSERT INTO ricochet_archive_record (dlq_topic, dlq_partition, dlq_offset, original_topic, ' +
      'original_partition, original_offset, retry_group, error_message, headers, archived_at) ' +
      `VALUES ${rows.map((row) => row.replace(/\)$/, `, '[]', 0)`)).join(', ')}`,
  );
}

/** What a store migrated from createVersionOneArchive must hold: the first copy only. */
export async function expectCopiesRemoved(store: ArchiveStore): Promise<void> {
  await store.migrate();
  const { records } = await store.list({}, { limit: 10 });
  expect(records.map((record) => record.errorMessage)).to.deep.equal([
    'no group',
    'another record',
    'first copy',
  ]);
}
