import type { ArchiveInput } from '@ricochet/archive';

/** The `index`-th dead letter of `topic`: key `key-<index>`, at original offset `index`. */
export function deadLetter(
  topic: string,
  index: number,
  overrides: Partial<ArchiveInput> = {},
): ArchiveInput {
  return {
    dlqTopic: 'dlq',
    dlqPartition: 0,
    dlqOffset: String(index),
    originalTopic: topic,
    originalPartition: 0,
    originalOffset: String(index),
    originalTimestamp: 1_700_000_000_000,
    key: Buffer.from(`key-${index}`),
    value: Buffer.from(`{"index":${index}}`),
    headers: [{ name: 'trace', value: Buffer.from(`t${index}`) }],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TypeError',
    errorMessage: 'failed',
    errorStack: null,
    firstFailureAt: null,
    lastFailureAt: null,
    deadLetterReason: 'retries-exhausted',
    searchableValue: null,
    ...overrides,
  };
}
