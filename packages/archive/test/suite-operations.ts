import { expect } from 'chai';
import { ConfigError, replayedFromHeader } from '@ricochet/core';
import { ReplayJobNotHeldError, type ReplayJobInput } from '@ricochet/archive';
import { listIds, makeInput, rejectionOf, startTime } from './fixtures.js';
import type { SuiteContext } from './store-suite.js';

const job: ReplayJobInput = {
  actor: 'alice',
  origin: 'cli',
  target: { originalTopic: 'orders', status: 'archived' },
  ratePerSecond: 2.5,
  maxReplays: 3,
  force: false,
  total: 4,
  throughId: 9,
};

const progress = { cursor: null, replayed: 0, refused: 0, failed: 0, replayedIds: [] };

/** What replay jobs and the audit need: the ascending walk, counts, audit rows, job rows. */
export function describeOperations(context: () => SuiteContext): void {
  describe('count and listAfter', () => {
    it('walks matching records oldest first after an id, and counts them', async () => {
      const { store } = context();
      await store.insert([
        makeInput(),
        makeInput({ originalTopic: 'payments' }),
        makeInput(),
        makeInput(),
      ]);
      const ids = (await listIds(store, {})).reverse();
      const orders = { originalTopic: 'orders' };
      expect(await store.count(orders)).to.equal(3);
      expect(await store.count({ ids: [ids[0]!, 999] })).to.equal(1);
      expect(await store.count(orders, ids[2])).to.equal(2);
      const first = await store.listAfter(orders, { afterId: 0, limit: 2 });
      expect(first.map((record) => record.id)).to.deep.equal([ids[0], ids[2]]);
      const rest = await store.listAfter(orders, { afterId: ids[2]!, limit: 2 });
      expect(rest.map((record) => record.id)).to.deep.equal([ids[3]]);
      expect(await store.listAfter(orders, { afterId: ids[3]!, limit: 2 })).to.deep.equal([]);
      const through = await store.listAfter(orders, { afterId: 0, throughId: ids[2]!, limit: 9 });
      expect(through.map((record) => record.id)).to.deep.equal([ids[0], ids[2]]);
      await rejectionOf(store.listAfter(orders, { afterId: -1, limit: 2 }), ConfigError);
    });
  });

  describe('listReplaysOf', () => {
    it('finds the records archived later that carry replayed-from naming the id, and only those', async () => {
      const { store } = context();
      const replayedFrom = (id: number | string, name = replayedFromHeader) => ({
        name,
        value: Buffer.from(String(id)),
      });
      await store.insert([makeInput(), makeInput()]);
      const [original, other] = (await listIds(store, {})).reverse() as [number, number];
      // Forgeries: the entry's text inside another header's name, the id as another header's value.
      const forgedName = `x","base64":"","y":{"name":"${replayedFromHeader}","base64":"${Buffer.from(String(original)).toString('base64')}"}`;
      await store.insert([
        makeInput({ headers: [replayedFrom(other)] }),
        makeInput({
          headers: [{ name: 'content-type', value: Buffer.from('x') }, replayedFrom(original)],
        }),
        makeInput({
          headers: [replayedFrom(original, forgedName), replayedFrom(original, 'replayed-fromx')],
        }),
        makeInput({ headers: [replayedFrom(`${original}0`), replayedFrom(` ${original}`)] }),
        makeInput({ headers: [replayedFrom(original)] }),
        makeInput({ headers: [replayedFrom(original)] }),
      ]);
      const later = (await listIds(store, {})).reverse().slice(2);
      expect((await store.listReplaysOf(original, 10)).map((record) => record.id)).to.deep.equal([
        later[1],
        later[4],
        later[5],
      ]);
      expect((await store.listReplaysOf(original, 2)).map((record) => record.id)).to.deep.equal([
        later[1],
        later[4],
      ]);
      // A purged record's headers are gone, and with them what it was a replay of.
      await store.purge({ ids: [later[4]!] });
      expect((await store.listReplaysOf(original, 10)).map((record) => record.id)).to.deep.equal([
        later[1],
        later[5],
      ]);
      expect(await store.listReplaysOf(other, 10)).to.have.length(1);
      // Only later records: a replay is archived after the record it came from.
      expect(await store.listReplaysOf(later[5]!, 10)).to.deep.equal([]);
      await rejectionOf(store.listReplaysOf(0, 10), ConfigError);
    });
  });

  describe('audit', () => {
    it('appends rows stamped by the store and lists them newest first, filtered and paged', async () => {
      const { store, fixture } = context();
      const purge = await store.appendAudit({
        actor: 'alice',
        origin: 'cli',
        action: 'purge',
        target: { ids: [3, 4] },
        outcome: { purged: 2 },
        jobId: null,
      });
      expect(purge).to.deep.equal({
        id: purge.id,
        at: startTime,
        actor: 'alice',
        origin: 'cli',
        action: 'purge',
        target: { ids: [3, 4] },
        outcome: { purged: 2 },
        jobId: null,
      });
      fixture.clock.time += 1_000;
      const replay = await store.appendAudit({
        actor: 'bob',
        origin: 'ui',
        action: 'replay',
        target: { originalTopic: 'orders', since: startTime - 10 },
        outcome: { state: 'done', replayed: 7 },
        jobId: 12,
      });
      fixture.clock.time += 1_000;
      const third = await store.appendAudit({ ...replay, actor: 'alice', jobId: null });
      const ids = async (filter: Parameters<typeof store.listAudit>[0]) =>
        (await store.listAudit(filter, { limit: 10 })).entries.map((entry) => entry.id);
      expect(await ids({})).to.deep.equal([third.id, replay.id, purge.id]);
      expect(await ids({ action: 'replay' })).to.deep.equal([third.id, replay.id]);
      expect(await ids({ actor: 'alice' })).to.deep.equal([third.id, purge.id]);
      expect(await ids({ since: startTime + 1_000 })).to.deep.equal([third.id, replay.id]);
      const first = await store.listAudit({}, { limit: 2 });
      expect(first.entries[1]).to.deep.equal(replay);
      const last = await store.listAudit({}, { limit: 2, cursor: first.nextCursor ?? '' });
      expect(last.entries.map((entry) => entry.id)).to.deep.equal([purge.id]);
      expect(last.nextCursor).to.equal(undefined);
    });

    it('refuses what it could not read back: an unknown origin or action, a bad target, a record cursor', async () => {
      const { store } = context();
      const entry = {
        actor: 'alice',
        origin: 'cli',
        action: 'purge',
        target: {},
        outcome: {},
        jobId: null,
      } as const;
      const refusals: Array<[Promise<unknown>, string]> = [
        [store.appendAudit({ ...entry, origin: 'shell' as 'cli' }), 'origin'],
        [store.appendAudit({ ...entry, action: 'delete' as 'purge' }), 'action'],
        [store.appendAudit({ ...entry, actor: ' ' }), 'actor'],
        [store.appendAudit({ ...entry, target: { status: 'gone' as 'purged' } }), 'status'],
        [store.appendAudit({ ...entry, target: { ids: [0] } }), 'ids'],
      ];
      for (const [attempt, field] of refusals) {
        expect((await rejectionOf(attempt, ConfigError)).field).to.equal(field);
      }
      await store.insert([makeInput(), makeInput()]);
      const records = await store.list({}, { limit: 1 });
      await rejectionOf(
        store.listAudit({}, { limit: 1, cursor: records.nextCursor ?? '' }),
        ConfigError,
      );
      expect((await store.listAudit({}, { limit: 10 })).entries).to.deep.equal([]);
    });
  });

  describe('replay jobs', () => {
    it('creates a running job held by its runner, and lists jobs newest first by state', async () => {
      const { store, fixture } = context();
      const created = await store.createReplayJob(job, 'run-1');
      expect(created).to.deep.equal({
        ...job,
        id: created.id,
        createdAt: startTime,
        updatedAt: startTime,
        state: 'running',
        runner: 'run-1',
        cursor: null,
        replayed: 0,
        refused: 0,
        failed: 0,
        error: null,
      });
      expect(await store.getReplayJob(created.id)).to.deep.equal(created);
      expect(await store.getReplayJob(created.id + 1000)).to.equal(undefined);
      fixture.clock.time += 1;
      const unlimited = await store.createReplayJob(
        { ...job, ratePerSecond: null, force: true, target: { ids: [1, 2] } },
        'run-2',
      );
      expect(unlimited).to.include({ ratePerSecond: null, force: true });
      await store.updateReplayJob(unlimited.id, 'run-2', { ...progress, state: 'done' });
      const all = await store.listReplayJobs({}, { limit: 1 });
      expect(all.jobs.map((each) => each.id)).to.deep.equal([unlimited.id]);
      const next = await store.listReplayJobs({}, { limit: 1, cursor: all.nextCursor ?? '' });
      expect(next.jobs.map((each) => each.id)).to.deep.equal([created.id]);
      const running = await store.listReplayJobs({ state: 'running' }, { limit: 10 });
      expect(running.jobs.map((each) => each.id)).to.deep.equal([created.id]);
      await rejectionOf(store.createReplayJob({ ...job, ratePerSecond: 0 }, 'run-3'), ConfigError);
    });

    it('saves progress and the replay marks in one step, only from the run that holds the job', async () => {
      const { store, fixture } = context();
      await store.insert([makeInput(), makeInput(), makeInput()]);
      const [first, second, third] = (await listIds(store, {})).reverse();
      const created = await store.createReplayJob(job, 'run-1');
      fixture.clock.time += 5_000;
      const saved = await store.updateReplayJob(created.id, 'run-1', {
        cursor: second!,
        replayed: 1,
        refused: 1,
        failed: 0,
        replayedIds: [first!],
        state: 'running',
      });
      expect(saved).to.include({
        cursor: second,
        replayed: 1,
        refused: 1,
        updatedAt: startTime + 5_000,
      });
      expect(await store.get(first!)).to.include({ status: 'replayed', replayCount: 1 });
      expect(await store.get(second!)).to.include({ status: 'archived', replayCount: 0 });

      const error = await rejectionOf(
        store.updateReplayJob(created.id, 'run-other', {
          ...progress,
          cursor: third!,
          replayedIds: [third!],
          state: 'done',
        }),
        ReplayJobNotHeldError,
      );
      expect(error.jobId).to.equal(created.id);
      expect(await store.get(third!), 'nothing of a refused save is kept').to.include({
        status: 'archived',
      });
      expect(await store.getReplayJob(created.id)).to.deep.equal(saved);

      const failed = await store.updateReplayJob(created.id, 'run-1', {
        ...progress,
        cursor: second!,
        replayed: 1,
        refused: 1,
        state: 'failed',
        error: 'the broker went away',
      });
      expect(failed).to.include({ state: 'failed', error: 'the broker went away' });
      await rejectionOf(
        store.updateReplayJob(created.id, 'run-1', { ...progress, state: 'done' }),
        ReplayJobNotHeldError,
      );
    });

    it('hands a stopped, failed or abandoned job to a new run, never a done or live one', async () => {
      const { store, fixture } = context();
      const created = await store.createReplayJob(job, 'run-1');
      fixture.clock.time += 10_000;
      expect(
        await store.claimReplayJob(created.id, 'run-2', startTime),
        'running, updated at the lease edge',
      ).to.equal(undefined);
      const taken = await store.claimReplayJob(created.id, 'run-2', startTime + 1);
      expect(taken).to.include({
        state: 'running',
        runner: 'run-2',
        updatedAt: startTime + 10_000,
      });
      await rejectionOf(
        store.updateReplayJob(created.id, 'run-1', { ...progress, state: 'running' }),
        ReplayJobNotHeldError,
      );
      await store.updateReplayJob(created.id, 'run-2', {
        ...progress,
        state: 'failed',
        error: 'x',
      });
      const again = await store.claimReplayJob(created.id, 'run-3', 0);
      expect(again).to.include({ runner: 'run-3', error: null });
      await store.updateReplayJob(created.id, 'run-3', { ...progress, state: 'stopped' });
      expect(await store.claimReplayJob(created.id, 'run-4', 0)).to.include({ runner: 'run-4' });
      await store.updateReplayJob(created.id, 'run-4', { ...progress, state: 'done' });
      expect(await store.claimReplayJob(created.id, 'run-5', Number.MAX_SAFE_INTEGER)).to.equal(
        undefined,
      );
      expect(await store.claimReplayJob(created.id + 1000, 'run-5', 0)).to.equal(undefined);
    });
  });
}
