import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveStore } from '@ricochet/archive';
import {
  collectTopic,
  createTestTopics,
  runCliCaptured,
  spawnCli,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { deadLetter } from './replay-fixtures.js';

// Read when a test runs: test/setup.ts resolves the broker before the first test, after the
// files are loaded.
const environment = (): Record<string, string> => ({ KAFKA_BROKERS: testBrokers().join(',') });
const cli = (args: string[]) => runCliCaptured(args, environment());

describe('ricochet dlq replay jobs, jobs and audit (real broker, SQLite archive)', function () {
  this.timeout(60_000);
  let folder: string;
  let storeUrl: string;
  let topic: string;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ricochet-replay-cli-'));
    storeUrl = `sqlite:${join(folder, 'dlq.db')}`;
    topic = uniqueName('orders');
    await createTestTopics([topic], 1);
    const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    await store.migrate();
    await store.insert(Array.from({ length: 40 }, (_, index) => deadLetter(topic, index)));
    await store.close();
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('replays as a job, lists it, audits it and the purges, and refuses to resume a done job', async () => {
    const dry = await cli(['dlq', 'replay', '--store', storeUrl, '--topic', topic, '--dry-run']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout)
      .to.contain(`would replay 1 to ${topic}`)
      .and.contain('would replay 40 records (the first 10 shown)');

    const replay = await cli([
      'dlq',
      'replay',
      '--store',
      storeUrl,
      '--topic',
      topic,
      '--rate',
      '1000',
      '--actor',
      'alice',
    ]);
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stderr).to.contain('replay job 1: 40 records');
    expect(replay.stdout).to.contain('replayed 40 records (replay job 1, done)');
    const again = await cli(['dlq', 'replay', '--store', storeUrl, '--topic', topic]);
    expect(again.stdout, 'by filter, replayed records are left out').to.contain(
      'replayed 0 records (replay job 2, done)',
    );

    const jobs = JSON.parse((await cli(['dlq', 'jobs', '--store', storeUrl, '--json'])).stdout) as {
      jobs: Array<Record<string, unknown>>;
    };
    expect(jobs.jobs.map((job) => job.id)).to.deep.equal([2, 1]);
    expect(jobs.jobs[1]).to.include({ state: 'done', replayed: 40, actor: 'alice', maxReplays: 3 });
    expect(jobs.jobs[1]).not.to.have.property('runner');
    const table = await cli(['dlq', 'jobs', '--store', storeUrl, '--state', 'done']);
    expect(table.stdout).to.match(/^ID\s+CREATED AT\s+ACTOR\s+STATE/);

    const purge = await cli([
      'dlq',
      'purge',
      '1',
      '2',
      '--store',
      storeUrl,
      '--yes',
      '--actor',
      'bob',
    ]);
    expect(purge.stdout).to.contain('purged 2 records');
    const audit = async (...flags: string[]) =>
      (
        JSON.parse(
          (await cli(['dlq', 'audit', '--store', storeUrl, '--json', ...flags])).stdout,
        ) as {
          entries: Array<Record<string, unknown>>;
        }
      ).entries;
    const byBob = await audit('--actor', 'bob');
    expect(byBob).to.have.length(1);
    expect(byBob[0]).to.deep.include({
      actor: 'bob',
      origin: 'cli',
      action: 'purge',
      target: { ids: [1, 2] },
      outcome: { purged: 2 },
      jobId: null,
    });
    const replays = await audit('--action', 'replay', '--since', '1h');
    expect(replays.map((entry) => [entry.actor, entry.jobId, entry.outcome])).to.deep.equal([
      [replays[0]?.actor, 2, { state: 'done', replayed: 0, refused: 0, failed: 0 }],
      ['alice', 1, { state: 'done', replayed: 40, refused: 0, failed: 0 }],
    ]);
    expect((await cli(['dlq', 'audit', '--store', storeUrl])).stdout).to.match(/^ID\s+AT\s+ACTOR/);

    const done = await cli(['dlq', 'replay', '--store', storeUrl, '--resume', '1']);
    expect(done.code).to.equal(2);
    expect(done.stderr).to.contain('replay job 1 cannot be resumed: it is done');
    const mixed = await cli(['dlq', 'replay', '--store', storeUrl, '--resume', '1', '--rate', '5']);
    expect(mixed.code).to.equal(2);
    expect(mixed.stderr).to.contain('--resume continues a job with its own records and settings');
  });

  it('stops cleanly on SIGINT, and --resume sends the rest, each record once', async () => {
    const process = spawnCli(
      ['dlq', 'replay', '--store', storeUrl, '--topic', topic, '--rate', '20'],
      environment(),
    );
    try {
      await waitFor('the job to start', () =>
        process.log().includes('replay job 1:') ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await process.stop('SIGINT')).to.equal(1);
    } finally {
      process.kill();
    }
    expect(process.log())
      .to.contain('stopping replay job 1')
      .and.contain('(replay job 1, stopped)');
    const [stopped] = (
      JSON.parse((await cli(['dlq', 'jobs', '--store', storeUrl, '--json'])).stdout) as {
        jobs: Array<{ state: string; cursor: number; replayed: number }>;
      }
    ).jobs;
    expect(stopped).to.include({ state: 'stopped' });
    expect(stopped!.replayed).to.be.within(1, 39);
    expect(stopped!.cursor).to.equal(stopped!.replayed);

    const resumed = await cli(['dlq', 'replay', '--store', storeUrl, '--resume', '1']);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain(`resuming after id ${stopped!.cursor}`);
    expect(resumed.stdout).to.contain('replayed 40 records (replay job 1, done)');
    const collected = await collectTopic(topic);
    try {
      await waitFor('every record on the topic', () =>
        collected.records.length >= 40 ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(collected.records.map((record) => record.key?.toString())).to.deep.equal(
        Array.from({ length: 40 }, (_, index) => `key-${index}`),
      );
    } finally {
      await collected.stop();
    }
  });
});
