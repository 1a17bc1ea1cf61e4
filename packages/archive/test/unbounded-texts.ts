import { expect } from 'chai';
import type { ArchiveStore } from '@ricochet/archive';
import { makeInput } from './fixtures.js';

const whole = (label: string): string => `${label}-${'x'.repeat(999 - label.length)}`;

/** 1,000 bytes each: stored whole before the bound, by PostgreSQL too (it compresses them). */
const texts = {
  originalTopic: whole('topic'),
  retryGroup: whole('group'),
  errorClass: whole('class'),
  deadLetterReason: whole('reason'),
};

/**
 * Stores, through `execute` (the backend's raw connection), a record as an archive kept it before
 * indexed texts were bounded: its indexed texts whole, longer than the bound. Then stores the same
 * texts through `store`, bounded, and expects a filter on each whole text to find both.
 */
export async function expectUnboundedRecordFound(
  store: ArchiveStore,
  execute: (sql: string) => Promise<unknown>,
): Promise<void> {
  await store.migrate();
  const { originalTopic, retryGroup, errorClass, deadLetterReason } = texts;
  await execute(
    'INSERT INTO ricochet_archive_record (dlq_topic, dlq_partition, dlq_offset, original_topic, ' +
      'retry_group, error_class, dead_letter_reason, headers, archived_at) VALUES ' +
      `('dlq', 0, 0, '${originalTopic}', '${retryGroup}', '${errorClass}', '${deadLetterReason}', '[]', 0)`,
  );
  await store.insert([makeInput(texts)]);
  const [bounded, unbounded] = (await store.list({}, { limit: 10 })).records;
  expect(unbounded?.errorClass).to.equal(errorClass);
  expect(bounded?.errorClass).to.have.length.below(errorClass.length);
  for (const [field, text] of Object.entries(texts)) {
    const found = (await store.list({ [field]: text }, { limit: 10 })).records;
    expect(
      found.map((record) => record.id),
      field,
    ).to.deep.equal([bounded?.id, unbounded?.id]);
  }
}
