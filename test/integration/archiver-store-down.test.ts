import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveUnavailableError, openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import {
  createTestTopics,
  produceRecords,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
  withAdmin,
} from '@ricochet/testing';

async function committedOffset(groupId: string, topic: string): Promise<string | undefined> {
  const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
  return offsets[0]?.partitions[0]?.offset;
}

describe('archiver with a store that is down (real broker, SQLite)', function () {
  this.timeout(60_000);

  it('backs off without committing, then stores and commits once the store is back', async () => {
    const dlq = uniqueName('dlq');
    const group = uniqueName('archiver');
    await createTestTopics([dlq], 1);
    const store = await openArchiveStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-down-')), 'dlq.db')}`,
      {
        logger: testLogger('archive'),
      },
    );
    let storeIsDown = true;
    let refusedInserts = 0;
    // The store's methods use private fields, so the wrapper delegates rather than inherits.
    const flaky: ArchiveStore = {
      kind: store.kind,
      migrate: () => store.migrate(),
      insert: async (records) => {
        if (storeIsDown) {
          refusedInserts += 1;
          throw new ArchiveUnavailableError('sqlite', 'insert', new Error('ECONNREFUSED (test)'));
        }
        return store.insert(records);
      },
      get: (id) => store.get(id),
      list: (filter, page) => store.list(filter, page),
      iterate: (filter, chunkSize) => store.iterate(filter, chunkSize),
      stats: (filter, period) => store.stats(filter, period),
      markReplayed: (id, at) => store.markReplayed(id, at),
      purge: (filter) => store.purge(filter),
      close: () => store.close(),
    };
    const archiver = createDlqArchiver({
      brokers: testBrokers(),
      dlqTopic: dlq,
      groupId: group,
      store: flaky,
      logger: testLogger('dlq'),
      searchableText: async () => null,
      initialStoreBackoffMilliseconds: 100,
      maxStoreBackoffMilliseconds: 400,
    });
    await archiver.start();
    try {
      await produceRecords(
        Array.from({ length: 10 }, (_, index) => ({
          topic: dlq,
          key: Buffer.from(`k${index}`),
          value: null,
          headers: {},
        })),
      );
      await waitFor('several refused inserts', () => (refusedInserts >= 3 ? true : undefined));
      expect(
        await committedOffset(group, dlq),
        'nothing committed while the store is down',
      ).to.be.oneOf([undefined, '-1']);
      expect(archiver.state).to.equal('running');
      storeIsDown = false;
      await waitFor('the records stored and committed', async () =>
        (await store.stats({}, 'day')).total === 10 && (await committedOffset(group, dlq)) === '10'
          ? true
          : undefined,
      );
    } finally {
      await archiver.stop();
      await store.close();
    }
  });
});
