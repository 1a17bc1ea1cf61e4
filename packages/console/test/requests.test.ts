import { expect } from 'chai';
import type { ArchivedRecord } from '@ricochet/archive';
import { ConfigError, replayedFromHeader } from '@ricochet/core';
import { auditFilterFrom, jobFilterFrom } from '../src/operations.js';
import { recordOrder } from '../src/records.js';
import { replayedFrom } from '../src/replays.js';
import { replayRequestFrom, selectionFromBody, selectionFromForm } from '../src/selection.js';
import { ConsoleRequestError } from '../src/errors.js';

const now = Date.parse('2026-01-02T03:00:00Z');

describe('console requests', () => {
  it('reads a selection from a page form: the ids selected, or the filter fields', () => {
    expect(
      selectionFromForm({ scope: 'selection', id: ['4', '2'], topic: 'orders' }, now),
    ).to.deep.include({
      scope: 'selection',
      filter: { ids: [4, 2] },
      filterQuery: '?topic=orders',
    });
    expect(
      selectionFromForm({ scope: 'filter', id: '4', topic: 'orders' }, now).filter,
    ).to.deep.equal({
      originalTopic: 'orders',
    });
    expect(() => selectionFromForm({ scope: 'selection' }, now)).to.throw(ConsoleRequestError);
    expect(() => selectionFromForm({ id: 'x' }, now)).to.throw(ConfigError);
  });

  it('reads a selection from an API body', () => {
    expect(selectionFromBody({ ids: [5] }, now).filter).to.deep.equal({ ids: [5] });
    expect(
      selectionFromBody({ filter: { errorClass: 'TimeoutError', since: '1h' } }, now).filter,
    ).to.deep.equal({
      errorClass: 'TimeoutError',
      since: now - 3_600_000,
    });
  });

  it('builds a replay: the console’s rate cap unless cleared, the loop guard unless forced', () => {
    const byFilter = selectionFromForm({ scope: 'filter', topic: 'orders' }, now);
    expect(replayRequestFrom(byFilter, {})).to.deep.equal({
      target: { originalTopic: 'orders', status: 'archived' },
      ratePerSecond: 100,
      force: false,
    });
    expect(replayRequestFrom(byFilter, { rate: '', maxReplays: '5', force: 'on' })).to.deep.equal({
      target: { originalTopic: 'orders' },
      ratePerSecond: null,
      maxReplays: 5,
      force: true,
    });
    expect(replayRequestFrom(byFilter, { rate: null, force: true }).ratePerSecond).to.equal(null);
    expect(Number.isNaN(replayRequestFrom(byFilter, { rate: 'fast' }).ratePerSecond)).to.equal(
      true,
    );
    // An empty filter would be the whole archive.
    expect(() => replayRequestFrom(selectionFromForm({ scope: 'filter' }, now), {})).to.throw(
      ConsoleRequestError,
    );
  });

  it('reads the audit’s and the jobs’ filters, naming a bad field', () => {
    expect(auditFilterFrom({ action: 'purge', actor: ' otto ', since: '2h' }, now)).to.deep.equal({
      action: 'purge',
      actor: 'otto',
      since: now - 7_200_000,
    });
    expect(auditFilterFrom({ action: '', actor: '' }, now)).to.deep.equal({});
    expect(() => auditFilterFrom({ action: 'delete' }, now)).to.throw(ConfigError);
    expect(jobFilterFrom({ state: 'stopped' })).to.deep.equal({ state: 'stopped' });
    expect(() => jobFilterFrom({ state: 'paused' })).to.throw(ConfigError);
    expect(recordOrder('oldest')).to.equal('oldest');
    expect(recordOrder(undefined)).to.equal('newest');
    expect(() => recordOrder('random')).to.throw(ConfigError);
  });

  it('reads which record a replay came from, trusting only an id', () => {
    const record = (value: string) =>
      ({
        headers: [{ name: replayedFromHeader, value: Buffer.from(value) }],
      }) as unknown as ArchivedRecord;
    expect(replayedFrom(record('42'))).to.equal(42);
    for (const bad of ['0', '-1', '4 2', '<b>1</b>', '1'.repeat(20)]) {
      expect(replayedFrom(record(bad)), bad).to.equal(undefined);
    }
  });
});
