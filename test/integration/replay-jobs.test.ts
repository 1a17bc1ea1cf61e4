import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import {
  claimReplayJob,
  createReplayJob,
  openReplayPublisher,
  planReplay,
  ReplayJobNotResumableError,
  runReplayJob,
  type ReplayPublisher,
  type ReplayRunOptions,
} from '@ricochet/replay';
import {
  collectTopic,
  createTestTopics,
  testConnection,
  testLogger,
  testPostgresUrl,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { deadLetter } from './replay-fixtures.js';

const postgresUrl = testPostgresUrl();

/** Each backend: a fresh archive per test, and what removes them all. */
const backends = [
  {
    name: 'SQLite',
    setUp: () => {
      const folder = mkdtempSync(join(tmpdir(), 'ricochet-replay-'));
      let files = 0;
      return {
        freshUrl: () => `sqlite:${join(folder, `archive-${(files += 1)}.db`)}`,
        dispose: async () => rmSync(folder, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    setUp: () => {
      const schemas: string[] = [];
      return {
        freshUrl: () => {
          const schema = `ricochet_replay_${randomBytes(4).toString('hex')}`;
          schemas.push(schema);
          const url = new URL(postgresUrl);
          url.searchParams.set('schema', schema);
          return url.toString();
        },
        dispose: async () => {
          const client = new pg.Client({ connectionString: postgresUrl });
          await client.connect();
          try {
            for (const schema of schemas) {
              await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            }
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

const who = { actor: 'alice', origin: 'cli' } as const;

for (const backend of backends) {
  describe(`replay jobs (real broker, ${backend.name} archive)`, function () {
    this.timeout(60_000);
    let target: ReturnType<typeof backend.setUp>;
    let store: ArchiveStore;
    let publisher: ReplayPublisher;
    let topic: string;
    let options: ReplayRunOptions;

    before(async () => {
      target = backend.setUp();
      publisher = await openReplayPublisher({
        ...testConnection(),
        logger: testLogger('replay'),
      });
    });

    after(async () => {
      await publisher?.close();
      await target?.dispose();
    });

    beforeEach(async () => {
      topic = uniqueName('orders');
      await createTestTopics([topic], 1);
      store = await openArchiveStore(target.freshUrl(), { logger: testLogger('archive') });
      await store.migrate();
      options = { store, publish: publisher.publish, logger: testLogger('replay'), who };
    });

    afterEach(async () => {
      await store?.close();
    });

    it('replays a filter in id order under its rate cap, refusing what the loop guard refuses, and audits the run', async () => {
      const looping = { name: 'replay-count', value: Buffer.from('3') };
      await store.insert([
        ...Array.from({ length: 24 }, (_, index) => deadLetter(topic, index)),
        deadLetter(topic, 24, { headers: [looping] }),
        deadLetter('elsewhere', 25),
      ]);
      const plan = await planReplay(store, { target: { originalTopic: topic } });
      expect(plan).to.include({ replay: 24, refused: 1, failed: 0 });
      expect(plan.sample.map((entry) => entry.id)).to.deep.equal(
        Array.from({ length: 10 }, (_, index) => index + 1),
      );
      const audited = (await store.listAudit({}, { limit: 10 })).entries;
      expect(audited, 'a dry run writes nothing').to.deep.equal([]);

      const job = await createReplayJob(
        store,
        { target: { originalTopic: topic }, ratePerSecond: 40 },
        who,
      );
      expect(job).to.include({ state: 'running', total: 25, maxReplays: 3, force: false });
      // Archived after the job was created: not part of it.
      await store.insert([deadLetter(topic, 26)]);
      const skipped: unknown[] = [];
      const startedAt = Date.now();
      const done = await runReplayJob({ ...options, onSkipped: (s) => skipped.push(s) }, job);
      const elapsed = Date.now() - startedAt;
      expect(done).to.include({ state: 'done', replayed: 24, refused: 1, failed: 0, cursor: 25 });
      expect(elapsed, '24 records at 40 per second, batches of 4').to.be.at.least(500);
      expect(skipped).to.deep.equal([
        {
          id: 25,
          kind: 'refused',
          reason:
            "replayed 3 times already, the loop guard's limit is 3 (force to replay it anyway)",
        },
      ]);

      const collected = await collectTopic(topic);
      try {
        await waitFor('the replays on the original topic', () =>
          collected.records.length >= 24 ? true : undefined,
        );
        expect(collected.records.map((record) => record.key?.toString())).to.deep.equal(
          Array.from({ length: 24 }, (_, index) => `key-${index}`),
        );
        const [first] = collected.records;
        expect(first?.headers).to.deep.include({
          trace: Buffer.from('t0'),
          'replayed-from': Buffer.from('1'),
          'replay-count': Buffer.from('1'),
        });
      } finally {
        await collected.stop();
      }
      expect(await store.get(1)).to.include({ status: 'replayed', replayCount: 1 });
      expect(await store.get(25)).to.include({ status: 'archived', replayCount: 0 });
      expect(await store.get(27)).to.include({ status: 'archived' });
      const [entry] = (await store.listAudit({ action: 'replay' }, { limit: 10 })).entries;
      expect(entry).to.include({ actor: 'alice', origin: 'cli', jobId: job.id });
      expect(entry?.outcome).to.deep.equal({ state: 'done', replayed: 24, refused: 1, failed: 0 });
    });

    it('stops on its signal with its progress saved, and resumes exactly where it stopped', async () => {
      await store.insert(Array.from({ length: 30 }, (_, index) => deadLetter(topic, index)));
      await store.purge({ ids: [4] });
      const ids = [...Array.from({ length: 30 }, (_, index) => index + 1), 99];
      const job = await createReplayJob(store, { target: { ids }, ratePerSecond: 50 }, who);
      expect(job.total).to.equal(31);
      const stop = new AbortController();
      const stopped = await runReplayJob(
        {
          ...options,
          chunkSize: 10,
          signal: stop.signal,
          onProgress: (progress) => {
            if (progress.cursor !== null) {
              stop.abort();
            }
          },
        },
        job,
      );
      expect(stopped.state).to.equal('stopped');
      expect(stopped.cursor).to.be.within(10, 29);
      const replayedBefore = (await store.list({ status: 'replayed' }, { limit: 100 })).records;
      expect(replayedBefore).to.have.length(stopped.replayed);

      const claimed = await claimReplayJob(store, job.id);
      const twice = await claimReplayJob(store, job.id).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(twice, 'a job held by a live run is not handed out again')
        .to.be.instanceOf(ReplayJobNotResumableError)
        .with.property('message')
        .that.includes('it is running');
      const resumed = await runReplayJob(
        { ...options, who: { actor: 'bob', origin: 'cli' } },
        claimed,
      );
      expect(resumed).to.include({ state: 'done', replayed: 29, refused: 0, failed: 2 });

      const collected = await collectTopic(topic);
      try {
        await waitFor('every replay on the original topic', () =>
          collected.records.length >= 29 ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const keys = collected.records.map((record) => record.key?.toString());
        expect(keys, 'each record once, in id order').to.deep.equal(
          Array.from({ length: 30 }, (_, index) => `key-${index}`).filter((key) => key !== 'key-3'),
        );
      } finally {
        await collected.stop();
      }
      const audit = (await store.listAudit({}, { limit: 10 })).entries;
      expect(audit.map((entry) => [entry.actor, entry.outcome.state])).to.deep.equal([
        ['bob', 'done'],
        ['alice', 'stopped'],
      ]);
    });
  });
}
