import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openArchiveStore } from '@ricochet/archive';
import {
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  testLogger,
  testPostgresUrl,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

import { deadLetters, quickArchiver } from './archiver-fixture.js';

const baseUrl = testPostgresUrl();

describe('archiver with a PostgreSQL table locked past the statement timeout (real broker, real PostgreSQL)', function () {
  this.timeout(90_000);

  it('fails the stalled insert, commits nothing and is not ready while the lock is held, then stores everything once and recovers', async () => {
    const dlq = uniqueName('dlq');
    const group = uniqueName('archiver');
    await createTestTopics([dlq], 1);
    const schema = `ricochet_stall_${randomBytes(4).toString('hex')}`;
    const url = new URL(baseUrl);
    url.searchParams.set('schema', schema);
    const store = await openArchiveStore(url.toString(), {
      logger: testLogger('archive'),
      statementTimeoutMs: 1_000,
    });
    const archiver = quickArchiver(store, dlq, group);
    const locker = new pg.Client({ connectionString: baseUrl });
    await locker.connect();
    try {
      await archiver.start();
      await produceRecords(deadLetters(dlq, 0, 3));
      await waitFor('the first records committed', async () =>
        (await committedOffset(group, dlq)) === '3' ? true : undefined,
      );
      await waitFor('ready', () => (archiver.readiness().ready ? true : undefined));

      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${schema}.ricochet_archive_record IN ACCESS EXCLUSIVE MODE`);
      await produceRecords(deadLetters(dlq, 3, 3));
      const reason = await waitFor('not ready, saying why', () => {
        const readiness = archiver.readiness();
        return readiness.ready ? undefined : readiness.reason;
      });
      expect(reason).to.include('archive store');
      await waitFor('the stalled insert failed by the statement timeout', () => {
        const readiness = archiver.readiness();
        return readiness.reason?.includes('statement timeout') === true ? true : undefined;
      });
      // Held well past several timeouts and retries.
      await sleep(3_000);
      expect(archiver.readiness().ready).to.equal(false);
      expect(await committedOffset(group, dlq), 'nothing committed while locked').to.equal('3');
      await locker.query('COMMIT');

      await waitFor('the held-up records stored and committed', async () =>
        (await committedOffset(group, dlq)) === '6' ? true : undefined,
      );
      await waitFor('ready again', () => (archiver.readiness().ready ? true : undefined));
      expect((await store.stats({}, 'day')).total, 'each record stored once').to.equal(6);
    } finally {
      // Releases the lock if an assertion failed while it was held (a no-op otherwise).
      await locker.query('ROLLBACK');
      await archiver.stop();
      await store.close();
      await locker.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await locker.end();
    }
  });
});
