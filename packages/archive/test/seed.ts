import type { ArchiveInput } from '@ricochet/archive';
import { day, hour, listIds, makeInput, startTime } from './fixtures.js';
import type { SuiteContext } from './store-suite.js';

interface Seeded {
  readonly at: number;
  readonly input: Partial<ArchiveInput>;
}

/** Five records spread over three days; tests refer to them by position (0 is the oldest). */
const seeded: readonly Seeded[] = [
  {
    at: startTime,
    input: {
      originalTopic: 'orders',
      errorClass: 'TimeoutError',
      retryGroup: 'billing',
      key: Buffer.from('k1'),
      errorMessage: 'charge timed out',
      searchableValue: '{"sku":"A-1"}',
    },
  },
  {
    at: startTime + 10 * 60_000,
    input: {
      originalTopic: 'orders',
      errorClass: 'ValidationError',
      retryGroup: 'billing',
      key: Buffer.from('k2'),
      errorMessage: 'Amount must be positive',
      searchableValue: '{"amount":-1}',
    },
  },
  {
    at: startTime + hour,
    input: {
      originalTopic: 'payments',
      errorClass: 'TimeoutError',
      retryGroup: 'ledger',
      key: Buffer.from('k1'),
      errorMessage: 'ledger unavailable',
      searchableValue: 'plain ÉCHEC text',
    },
  },
  {
    at: startTime + day,
    input: {
      originalTopic: 'payments',
      errorClass: null,
      retryGroup: 'ledger',
      key: null,
      errorMessage: null,
      searchableValue: null,
      deadLetterReason: 'decode-failed',
    },
  },
  {
    at: startTime + day + 2 * hour,
    input: {
      originalTopic: null,
      errorClass: 'TimeoutError',
      retryGroup: null,
      key: Buffer.from([0xff, 0x6b, 0x31]),
      errorMessage: 'k1 broke',
      searchableValue: null,
    },
  },
];

/** Inserts the seeded records one by one at their times; resolves to their ids, oldest first. */
export async function seed({ store, fixture }: SuiteContext): Promise<number[]> {
  for (const { at, input } of seeded) {
    fixture.clock.time = at;
    await store.insert([makeInput(input)]);
  }
  return (await listIds(store, {})).reverse();
}
