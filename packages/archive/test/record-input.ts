// Records for the archive tests, in a module of its own: the archive's child processes import it
// without the test helpers (chai, @ricochet/testing and all it loads), so that they start fast.
import type { ArchiveInput } from '@ricochet/archive';

/** 2023-11-14T22:13:20Z: a round hour plus 13 min 20 s, so bucket edges are easy to reason about. */
export const startTime = 1_700_000_000_000;
export const hour = 3_600_000;
export const day = 24 * hour;

let nextOffset = 0;

/**
 * A complete record with every field set; each call takes the next dead-letter offset and the
 * next original offset, so that each is a different record to the archive.
 */
export function makeInput(overrides: Partial<ArchiveInput> = {}): ArchiveInput {
  nextOffset += 1;
  return {
    dlqTopic: 'dlq',
    dlqPartition: 0,
    dlqOffset: String(nextOffset),
    originalTopic: 'orders',
    originalPartition: 2,
    originalOffset: String(40 + nextOffset),
    originalTimestamp: startTime - 60_000,
    key: Buffer.from('order-1'),
    value: Buffer.from('{"amount":12}'),
    headers: [{ name: 'content-type', value: Buffer.from('application/json') }],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TimeoutError',
    errorMessage: 'charge timed out after 5000 ms',
    errorStack: 'TimeoutError: charge timed out\n    at charge (billing.js:10:5)',
    firstFailureAt: startTime - 50_000,
    lastFailureAt: startTime - 1_000,
    deadLetterReason: 'retries-exhausted',
    searchableValue: '{"amount":12}',
    ...overrides,
  };
}
