import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { testLogger } from '@ricochet/testing';
import { overviewOf } from '../src/overview.js';
import { deadLetter } from './console-fixture.js';

describe('overviewOf', () => {
  let directory: string;
  let store: ArchiveStore;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ricochet-overview-'));
    store = await openArchiveStore(`sqlite:${join(directory, 'archive.db')}`, {
      logger: testLogger('overview'),
      access: 'create',
    });
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('charts reasons over the periods of the window, as topics and error classes', async () => {
    await store.insert([
      deadLetter(),
      deadLetter(),
      deadLetter({ deadLetterReason: 'decode-failed', errorClass: null }),
      deadLetter({ deadLetterReason: null }),
    ]);
    const overview = await overviewOf(store, '24h', Date.now());
    expect(overview.total).to.equal(4);
    const lines = (series: typeof overview.byReason) =>
      series.map((line) => ({
        name: line.name,
        periods: line.counts.length,
        total: line.counts.reduce((sum, count) => sum + count, 0),
      }));
    const periods = overview.periods.length;
    // A record without a reason cannot be filtered on: no line, though the total counts it.
    expect(lines(overview.byReason)).to.deep.equal([
      { name: 'retries-exhausted', periods, total: 2 },
      { name: 'decode-failed', periods, total: 1 },
    ]);
    expect(lines(overview.byErrorClass)).to.deep.equal([
      { name: 'TimeoutError', periods, total: 3 },
    ]);
  });
});
