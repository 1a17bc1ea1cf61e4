import { expect } from 'chai';
import { day, hour, startTime } from './fixtures.js';
import { seed } from './seed.js';
import type { SuiteContext } from './store-suite.js';

/** Counts by group and period, the same on every backend. */
export function describeStats(context: () => SuiteContext): void {
  describe('stats', () => {
    it('counts by original topic, error class, dead-letter reason and period', async () => {
      const { store } = context();
      await seed(context());
      const bucket = (at: number, size: number): number => Math.floor(at / size) * size;
      const byHour = await store.stats({}, 'hour');
      expect(byHour.total).to.equal(5);
      expect(byHour.byOriginalTopic).to.deep.equal([
        { originalTopic: 'orders', count: 2 },
        { originalTopic: 'payments', count: 2 },
        { originalTopic: null, count: 1 },
      ]);
      expect(byHour.byErrorClass).to.deep.equal([
        { errorClass: 'TimeoutError', count: 3 },
        { errorClass: 'ValidationError', count: 1 },
        { errorClass: null, count: 1 },
      ]);
      expect(byHour.byDeadLetterReason).to.deep.equal([
        { deadLetterReason: 'retries-exhausted', count: 4 },
        { deadLetterReason: 'decode-failed', count: 1 },
      ]);
      expect(byHour.byPeriod).to.deep.equal([
        { periodStart: bucket(startTime, hour), count: 2 },
        { periodStart: bucket(startTime + hour, hour), count: 1 },
        { periodStart: bucket(startTime + day, hour), count: 1 },
        { periodStart: bucket(startTime + day + 2 * hour, hour), count: 1 },
      ]);
      const byDay = await store.stats({}, 'day');
      expect(byDay.byPeriod).to.deep.equal([
        { periodStart: bucket(startTime, day), count: 3 },
        { periodStart: bucket(startTime + day, day), count: 1 },
        { periodStart: bucket(startTime + day + 2 * hour, day), count: 1 },
      ]);
    });

    it('applies the filter and answers zeros for an empty match', async () => {
      const { store } = context();
      await seed(context());
      const orders = await store.stats({ originalTopic: 'orders' }, 'day');
      expect(orders.total).to.equal(2);
      expect(orders.byErrorClass.map((group) => group.count)).to.deep.equal([1, 1]);
      expect(orders.byDeadLetterReason).to.deep.equal([
        { deadLetterReason: 'retries-exhausted', count: 2 },
      ]);
      const decodeFailed = await store.stats({ deadLetterReason: 'decode-failed' }, 'day');
      expect(decodeFailed.total).to.equal(1);
      expect(decodeFailed.byOriginalTopic).to.deep.equal([{ originalTopic: 'payments', count: 1 }]);
      expect(await store.stats({ retryGroup: 'nobody' }, 'hour')).to.deep.equal({
        total: 0,
        byOriginalTopic: [],
        byErrorClass: [],
        byDeadLetterReason: [],
        byPeriod: [],
      });
    });
  });
}
