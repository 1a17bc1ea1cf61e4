import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { rejectionOf } from './fixtures.js';
import { seed } from './seed.js';
import type { SuiteContext } from './store-suite.js';

/** Input that cannot be right is a ConfigError naming the field, never a database error. */
export function describeBadInput(context: () => SuiteContext): void {
  describe('bad query input', () => {
    it('rejects cursors it did not issue with ConfigError(cursor)', async () => {
      const { store } = context();
      await seed(context());
      const { nextCursor } = await store.list({}, { limit: 1 });
      const encode = (text: string): string => Buffer.from(text).toString('base64url');
      const bad = [
        '',
        'garbage!!',
        "'; DROP TABLE x; --",
        encode('hello'),
        encode('r1:0'),
        encode('r1:-5'),
        encode('r1:12abc'),
        encode('r1:99999999999999999'),
        `${nextCursor}=`,
        `${nextCursor}A`,
        'x'.repeat(1000),
      ];
      for (const cursor of bad) {
        const error = await rejectionOf(store.list({}, { limit: 5, cursor }), ConfigError);
        expect(error.field, cursor).to.equal('cursor');
      }
    });

    it('rejects bad limits, filter values and periods with ConfigError naming the field', async () => {
      const { store } = context();
      const cases: Array<[Promise<unknown>, string]> = [
        [store.list({}, { limit: 0 }), 'limit'],
        [store.list({}, { limit: 1.5 }), 'limit'],
        [store.list({}, { limit: 1_000_000 }), 'limit'],
        [store.list({ status: 'deleted' as 'purged' }, { limit: 5 }), 'status'],
        [store.list({ since: Number.NaN }, { limit: 5 }), 'since'],
        [store.list({ ids: [0] }, { limit: 5 }), 'ids'],
        [store.list({ grep: '' }, { limit: 5 }), 'grep'],
        [store.stats({}, 'week' as 'day'), 'period'],
        [store.purge({ until: 1.5 }), 'until'],
      ];
      for (const [promise, field] of cases) {
        expect((await rejectionOf(promise, ConfigError)).field).to.equal(field);
      }
    });
  });

  describe('bad store URLs', () => {
    it('rejects URLs it cannot use with ConfigError(store), hiding passwords', async () => {
      const { fixture } = context();
      const bad = [
        '',
        'mysql://admin:s3cret@db.example.com/dlq',
        'postgres://admin:s3cret@:5432/dlq',
        'postgres://admin:s3cret@db.example.com/dlq?schema=Bad-Name',
        'postgresql://admin:s3cret@db.example.com/dlq?schema=a;drop',
        'sqlite:',
        'sqlite://relative.db',
        'ricochet-dlq.db',
      ];
      for (const url of bad) {
        const error = await rejectionOf(fixture.open(url), ConfigError);
        expect(error.field, url).to.equal('store');
        expect(error.message, url).not.to.include('s3cret');
      }
    });
  });
}
