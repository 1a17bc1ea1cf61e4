import { expect } from 'chai';
import fc from 'fast-check';
import { RetryHeader, type ConsumedRecord, type RecordHeaders } from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { toArchiveInput } from '@ricochet/dlq-archiver/internal';
import { testLogger } from '@ricochet/testing';

function deadLetter(headers: RecordHeaders, offset = '0'): ConsumedRecord {
  return {
    topic: 'dlq',
    partition: 0,
    offset,
    timestamp: '1700000000000',
    key: null,
    value: Buffer.from('v'),
    headers,
  };
}

const numericHeaders = [
  RetryHeader.tryCount,
  RetryHeader.originalPartition,
  RetryHeader.originalOffset,
  RetryHeader.originalTimestamp,
  RetryHeader.firstFailureAt,
  RetryHeader.lastFailureAt,
];

describe('toArchiveInput', () => {
  let store: ArchiveStore;

  before(async () => {
    store = await openArchiveStore('sqlite::memory:', { logger: testLogger('archive') });
    await store.migrate();
  });

  after(() => store.close());

  it('reads the retry headers of a well-formed dead letter', () => {
    const input = toArchiveInput(
      deadLetter({
        [RetryHeader.tryCount]: '3',
        [RetryHeader.originalPartition]: '2',
        [RetryHeader.originalOffset]: String(2n ** 63n - 1n),
        [RetryHeader.originalTimestamp]: '1700000000000',
      }),
      null,
      'ricochet',
    );
    expect(input).to.include({
      tryCount: 3,
      originalPartition: 2,
      originalOffset: '9223372036854775807',
      originalTimestamp: 1_700_000_000_000,
    });
  });

  it('stores as null what the archive columns cannot hold, instead of handing the store a value it refuses', () => {
    const input = toArchiveInput(
      deadLetter({
        [RetryHeader.tryCount]: String(2 ** 31),
        [RetryHeader.originalPartition]: String(2 ** 31),
        [RetryHeader.originalOffset]: '9'.repeat(30),
        [RetryHeader.originalTimestamp]: String(2 ** 60),
        [RetryHeader.firstFailureAt]: '-5',
      }),
      null,
      'ricochet',
    );
    expect(input).to.include({
      tryCount: null,
      originalPartition: null,
      originalOffset: null,
      originalTimestamp: null,
      firstFailureAt: null,
    });
    expect(
      toArchiveInput(deadLetter({ [RetryHeader.originalOffset]: '007' }), null, 'ricochet'),
    ).to.include({
      originalOffset: null,
    });
  });

  it('yields input the store accepts, whatever text the numeric headers carry', async () => {
    let offset = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          Object.fromEntries(
            numericHeaders.map((header) => [
              header,
              fc.oneof(fc.string(), fc.bigInt().map(String), fc.stringMatching(/^\d{1,40}$/)),
            ]),
          ),
        ),
        async (headers) => {
          offset += 1;
          const stored = await store.insert([
            toArchiveInput(deadLetter(headers, String(offset)), null, 'ricochet'),
          ]);
          expect(stored).to.equal(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
