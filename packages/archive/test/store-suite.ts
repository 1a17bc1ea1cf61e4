import type { ArchiveStore } from '@ricochet/archive';
import { describeBadInput } from './suite-bad-input.js';
import { describeLifecycle } from './suite-lifecycle.js';
import { describeOperations } from './suite-operations.js';
import { describeQueries } from './suite-queries.js';
import { describeRecords } from './suite-records.js';
import { describeStats } from './suite-stats.js';
import { StoreFixture, type StoreTarget } from './fixtures.js';

/** What each part of the suite is handed: a migrated store on a fresh archive, per test. */
export interface SuiteContext {
  readonly fixture: StoreFixture;
  readonly store: ArchiveStore;
  /** Another fresh archive location, for tests that need a second, untouched one. */
  readonly freshUrl: () => string;
}

/**
 * The one suite every ArchiveStore must pass, run against each backend. `target` hands out
 * fresh, isolated archive URLs; every test gets its own.
 */
export function describeArchiveStore(name: string, target: () => StoreTarget): void {
  describe(`${name} archive store`, function () {
    let storeTarget: StoreTarget;
    let current: SuiteContext;
    const context = (): SuiteContext => current;

    before(() => {
      storeTarget = target();
    });

    beforeEach(async () => {
      const fixture = new StoreFixture(storeTarget.freshUrl());
      const store = await fixture.open();
      await store.migrate();
      current = { fixture, store, freshUrl: () => storeTarget.freshUrl() };
    });

    afterEach(async () => {
      await current.fixture.closeAll();
    });

    after(async () => {
      await storeTarget.dispose();
    });

    describeRecords(context);
    describeQueries(context);
    describeStats(context);
    describeLifecycle(context);
    describeBadInput(context);
    describeOperations(context);
  });
}
