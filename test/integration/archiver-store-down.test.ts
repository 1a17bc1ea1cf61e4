import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveUnavailableError, openArchiveStore } from '@ricochet/archive';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import {
  committedOffset,
  createTestTopics,
  produceRecords,
  storeWith,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

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
    const flaky = storeWith(store, {
      insert: async (records) => {
        if (storeIsDown) {
          refusedInserts += 1;
          throw new ArchiveUnavailableError('sqlite', 'insert', new Error('ECONNREFUSED (test)'));
        }
        return store.insert(records);
      },
    });
    const archiver = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
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
