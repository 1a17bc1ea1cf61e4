import { expect } from 'chai';
import { ArchiveRecordNotFoundError, ArchiveStoreError } from '@ricochet/archive';
import { day, listIds, makeInput, rejectionOf, startTime } from './fixtures.js';
import type { SuiteContext } from './store-suite.js';

/** Replay marks, purge, migrations, and what happens around open and close. */
export function describeLifecycle(context: () => SuiteContext): void {
  describe('markReplayed', () => {
    it('sets the status and time and counts each replay', async () => {
      const { store } = context();
      await store.insert([makeInput(), makeInput()]);
      const [newest, oldest] = await listIds(store, {});
      await store.markReplayed(oldest ?? 0, startTime + 1_000);
      await store.markReplayed(oldest ?? 0, startTime + 2_000);
      expect(await store.get(oldest ?? 0)).to.include({
        status: 'replayed',
        replayedAt: startTime + 2_000,
        replayCount: 2,
      });
      expect(await store.get(newest ?? 0)).to.include({
        status: 'archived',
        replayedAt: null,
        replayCount: 0,
      });
    });

    it('rejects an id it does not hold', async () => {
      const error = await rejectionOf(
        context().store.markReplayed(424_242, startTime),
        ArchiveRecordNotFoundError,
      );
      expect(error.id).to.equal(424_242);
    });
  });

  describe('purge', () => {
    it('drops the payload of matching records, keeps what they were, and counts them', async () => {
      const { store, fixture } = context();
      await store.insert([
        makeInput({ originalTopic: 'orders' }),
        makeInput({ originalTopic: 'orders' }),
      ]);
      fixture.clock.time += day;
      await store.insert([makeInput({ originalTopic: 'payments' })]);
      expect(await store.purge({ originalTopic: 'orders' })).to.equal(2);
      expect(await store.purge({ originalTopic: 'orders' }), 'already purged').to.equal(0);
      const purged = await store.list({ status: 'purged' }, { limit: 10 });
      expect(purged.records).to.have.length(2);
      for (const record of purged.records) {
        expect(record).to.include({
          status: 'purged',
          key: null,
          value: null,
          searchableValue: null,
          originalTopic: 'orders',
          errorClass: 'TimeoutError',
        });
        expect(record.headers).to.deep.equal([]);
        await rejectionOf(store.markReplayed(record.id, startTime), ArchiveRecordNotFoundError);
      }
      const [kept] = (await store.list({ status: 'archived' }, { limit: 10 })).records;
      expect(kept?.value).to.deep.equal(makeInput().value);
      expect(await store.purge({ since: startTime + day })).to.equal(1);
      expect(await store.purge({})).to.equal(0);
    });
  });

  describe('migrations', () => {
    it('applies once: migrating again keeps every record', async () => {
      const { store, fixture } = context();
      await store.insert([makeInput()]);
      await store.migrate();
      const again = await fixture.open();
      await again.migrate();
      expect(await listIds(again, {})).to.have.length(1);
    });

    it('lets two stores migrate one fresh archive at the same time', async () => {
      const { fixture, freshUrl } = context();
      const url = freshUrl();
      const [a, b] = [await fixture.open(url), await fixture.open(url)];
      await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
      expect(await a.insert([makeInput()])).to.equal(1);
      expect(await listIds(b, {})).to.have.length(1);
    });
  });

  describe('open and close', () => {
    it('closes twice without complaint and refuses work once closed', async () => {
      const { fixture } = context();
      const store = await fixture.open();
      await store.close();
      await store.close();
      const error = await rejectionOf(store.list({}, { limit: 1 }), ArchiveStoreError);
      expect(error.retriable).to.equal(false);
      await rejectionOf(store.insert([makeInput()]), ArchiveStoreError);
    });
  });
}
