import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { openArchiveStore, type ArchiveInput } from '@ricochet/archive';
import { runCliCaptured, testLogger, testPostgresUrl } from '@ricochet/testing';

function input(index: number, overrides: Partial<ArchiveInput> = {}): ArchiveInput {
  return {
    dlqTopic: 'dlq',
    dlqPartition: 0,
    dlqOffset: String(index),
    originalTopic: index % 2 === 0 ? 'orders' : 'payments',
    originalPartition: 0,
    originalOffset: String(100 + index),
    originalTimestamp: 1_700_000_000_000,
    key: Buffer.from(`key-${index}`),
    value: Buffer.from(JSON.stringify({ index })),
    headers: [{ name: 'trace', value: Buffer.from(`t${index}`) }],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: index % 3 === 0 ? 'TimeoutError' : 'TypeError',
    errorMessage: `failure number ${index}`,
    errorStack: 'Error\n    at somewhere',
    firstFailureAt: 1_700_000_000_000,
    lastFailureAt: 1_700_000_001_000,
    deadLetterReason: index === 5 ? 'non-retryable-error' : 'retries-exhausted',
    searchableValue: JSON.stringify({ index }),
    ...overrides,
  };
}

/** The real PostgreSQL (RICOCHET_TEST_POSTGRES_URL overrides it), reached as a superuser. */
const postgresUrl = testPostgresUrl();

/** The test PostgreSQL as `user`, in `schema`. */
function postgresUrlFor(user: string, schema: string): string {
  const url = new URL(postgresUrl);
  url.username = user;
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** An archive in `schema`, migrated and holding records 1 and 2, made by the test's superuser. */
async function archiveInSchema(schema: string): Promise<void> {
  const store = await openArchiveStore(postgresUrlFor(new URL(postgresUrl).username, schema), {
    logger: testLogger('archive'),
  });
  try {
    await store.migrate();
    await store.insert([input(1), input(2)]);
  } finally {
    await store.close();
  }
}

const cli = (args: string[], stdin?: PassThrough & { isTTY?: boolean }) =>
  runCliCaptured(args, {}, stdin);

describe('ricochet dlq (in-process, SQLite archive)', () => {
  let storeUrl: string;
  let folder: string;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ricochet-dlq-cli-'));
    storeUrl = `sqlite:${join(folder, 'dlq.db')}`;
    const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    await store.migrate();
    await store.insert(Array.from({ length: 7 }, (_, index) => input(index)));
    await store.close();
  });

  it('lists newest first and pages with the cursor it prints', async () => {
    const first = await cli(['dlq', 'list', '--store', storeUrl, '--limit', '3', '--json']);
    const page = JSON.parse(first.stdout) as { records: Array<{ id: number }>; nextCursor: string };
    expect(page.records.map((record) => record.id)).to.deep.equal([7, 6, 5]);
    const second = await cli([
      'dlq',
      'list',
      '--store',
      storeUrl,
      '--limit',
      '3',
      '--cursor',
      page.nextCursor,
      '--json',
    ]);
    expect(
      (JSON.parse(second.stdout) as { records: Array<{ id: number }> }).records.map(
        (record) => record.id,
      ),
    ).to.deep.equal([4, 3, 2]);
    const table = await cli(['dlq', 'list', '--store', storeUrl, '--limit', '3']);
    expect(table.stdout).to.match(/^ID\s+ARCHIVED AT\s+ORIGINAL/);
    expect(table.stdout).to.contain('more: --cursor');
  });

  it('filters by topic, error class, reason, key and grep', async () => {
    const ids = async (...flags: string[]) =>
      (
        JSON.parse(
          (await cli(['dlq', 'list', '--store', storeUrl, '--json', ...flags])).stdout,
        ) as { records: Array<{ id: number }> }
      ).records.map((record) => record.id);
    expect(await ids('--topic', 'payments')).to.deep.equal([6, 4, 2]);
    expect(await ids('--error-class', 'TimeoutError')).to.deep.equal([7, 4, 1]);
    expect(await ids('--reason', 'non-retryable-error')).to.deep.equal([6]);
    expect(await ids('--reason', 'non-retryable-error', '--topic', 'orders')).to.deep.equal([]);
    expect(await ids('--key', 'key-3')).to.deep.equal([4]);
    expect(await ids('--grep', 'FAILURE NUMBER 5')).to.deep.equal([6]);
    expect(await ids('--grep', "'; DROP TABLE records; --")).to.deep.equal([]);
    expect(await ids('--since', '1h')).to.have.length(7);
    expect(await ids('--until', '2000-01-01T00:00:00Z')).to.deep.equal([]);
  });

  it('shows one record with its headers and its value pretty-printed', async () => {
    const shown = await cli(['dlq', 'show', '3', '--store', storeUrl]);
    expect(shown.code).to.equal(0);
    expect(shown.stdout)
      .to.contain('failure number 2')
      .and.contain('trace: t2')
      .and.contain('value (json)')
      .and.contain('"index": 2');
  });

  it('counts by topic, error class and period', async () => {
    const stats = JSON.parse(
      (await cli(['dlq', 'stats', '--store', storeUrl, '--json'])).stdout,
    ) as { total: number; byOriginalTopic: unknown[] };
    expect(stats.total).to.equal(7);
    expect(stats.byOriginalTopic).to.deep.include({ originalTopic: 'orders', count: 4 });
    const table = await cli(['dlq', 'stats', '--store', storeUrl, '--period', 'day']);
    expect(table.stdout)
      .to.contain('7 archived records')
      .and.contain('TimeoutError')
      .and.contain('DAY');
  });

  it('exports JSON Lines and CSV, to standard output or a file', async () => {
    const jsonl = await cli(['dlq', 'export', '--store', storeUrl, '--topic', 'orders']);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { originalTopic: string; key: { utf8: string } });
    expect(lines).to.have.length(4);
    expect(lines[0]).to.include({ originalTopic: 'orders' });
    const file = join(folder, 'out.csv');
    const csv = await cli([
      'dlq',
      'export',
      '--store',
      storeUrl,
      '--format',
      'csv',
      '--output',
      file,
    ]);
    expect(csv.stderr).to.contain('exported 7 records');
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    expect(rows[0]).to.match(/^id,status,archivedAt,originalTopic/);
    expect(rows).to.have.length(8);
  });

  it('purges by filter only after confirmation, and never the whole archive by default', async () => {
    expect((await cli(['dlq', 'purge', '--store', storeUrl])).code).to.equal(2);
    const refused = await cli(['dlq', 'purge', '--store', storeUrl, '--topic', 'orders']);
    expect(refused.code, 'no terminal to ask on, no --yes').to.equal(2);
    expect(refused.stderr).to.contain('--yes');
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    const asked = cli(['dlq', 'purge', '--store', storeUrl, '--topic', 'orders'], terminal);
    setTimeout(() => terminal.write('n\n'), 50);
    expect((await asked).stdout).to.contain('nothing purged');
    const purged = await cli(['dlq', 'purge', '--store', storeUrl, '--topic', 'orders', '--yes']);
    expect(purged.stdout).to.contain('purged 4 records');
    const after = JSON.parse(
      (await cli(['dlq', 'list', '--store', storeUrl, '--status', 'purged', '--json'])).stdout,
    ) as { records: Array<{ value: unknown }> };
    expect(after.records).to.have.length(4);
    expect(after.records[0]!.value).to.equal(null);
  });

  it('exports, dry-runs a replay of and purges the records of one reason', async () => {
    const reason = ['--reason', 'non-retryable-error'];
    const exported = await cli(['dlq', 'export', '--store', storeUrl, ...reason]);
    expect(
      exported.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).to.deep.equal([6]);
    const dry = await cli(['dlq', 'replay', '--store', storeUrl, '--dry-run', ...reason]);
    expect(dry.stdout).to.contain('would replay 1 record');
    const purged = await cli(['dlq', 'purge', '--store', storeUrl, '--yes', ...reason]);
    expect(purged.stdout).to.contain('purged 1 record');
  });

  it('replays nothing it cannot: a dry run sends nothing; purged records are refused', async () => {
    const dry = await cli(['dlq', 'replay', '1', '2', '--store', storeUrl, '--dry-run']);
    expect(dry.code).to.equal(0);
    expect(dry.stdout).to.contain('would replay 1 to orders').and.contain('would replay 2 records');
    await cli(['dlq', 'purge', '1', '--store', storeUrl, '--yes']);
    const purged = await cli(['dlq', 'replay', '1', '--store', storeUrl, '--dry-run']);
    expect(purged.code).to.equal(1);
    expect(purged.stderr).to.contain('skipped 1: purged');
  });

  it('refuses bad input with exit code 2 and a message naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['dlq', 'list', '--store', 'mysql://x'], /store/],
      [['dlq', 'list', '--store', storeUrl, '--since', 'yesterday'], /--since/],
      [['dlq', 'list', '--store', storeUrl, '--cursor', 'garbage!'], /cursor/],
      [['dlq', 'show', 'abc', '--store', storeUrl], /ID: "abc" is not an archive id/],
      [['dlq', 'show', '999', '--store', storeUrl], /no archived record has id 999/],
      [['dlq', 'replay', '--store', storeUrl], /name archive ids, or a filter/],
      [['dlq', 'replay', '1', '--store', storeUrl], /--brokers/],
      [
        ['dlq', 'replay', '1', '--store', storeUrl, '--brokers', '127.0.0.1:1'],
        /cannot reach Kafka at 127.0.0.1:1/,
      ],
      [['dlq', 'list', '--store', storeUrl, '--status', 'gone'], /status/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });
});

describe('ricochet dlq never creates nor migrates an archive', () => {
  it('refuses a mistyped SQLite path with exit code 2, saying what to do, and creates no file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ricochet-dlq-typo-'));
    const typo = join(folder, 'dlq-typo.db');
    const commands = [
      ['dlq', 'list'],
      ['dlq', 'show', '1'],
      ['dlq', 'stats'],
      ['dlq', 'export'],
      ['dlq', 'purge', '1', '--yes'],
      ['dlq', 'replay', '1', '--dry-run'],
    ];
    for (const command of commands) {
      const result = await cli([...command, '--store', `sqlite:${typo}`]);
      expect(result.code, command.join(' ')).to.equal(2);
      expect(result.stderr, command.join(' '))
        .to.include(`no archive at ${typo}`)
        .and.include('ricochet run dlq');
      expect(existsSync(typo), `${command.join(' ')} created the file`).to.equal(false);
    }
  });

  it('purges, audits and runs replay jobs with the grants docs/operations-contract.md gives', async () => {
    const suffix = randomBytes(4).toString('hex');
    const schema = `ricochet_operator_${suffix}`;
    const role = `ricochet_operator_${suffix}`;
    const contract = readFileSync(
      new URL('../../docs/operations-contract.md', import.meta.url),
      'utf8',
    );
    const grants = /### PostgreSQL permissions[\s\S]*?```sql\n([\s\S]*?)```/.exec(contract)?.[1];
    expect(grants, 'the grants in the operations contract').to.be.a('string');
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await archiveInSchema(schema);
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(
        grants!
          .replaceAll('ricochet_console', role)
          .replaceAll('SCHEMA ricochet ', `SCHEMA ${schema} `)
          .replaceAll('ricochet.ricochet_archive', `${schema}.ricochet_archive`),
      );
      const operatorUrl = postgresUrlFor(role, schema);

      const purged = await cli(['dlq', 'purge', '1', '--store', operatorUrl, '--yes']);
      expect(purged.code, purged.stderr).to.equal(0);
      const store = await openArchiveStore(operatorUrl, {
        logger: testLogger('archive'),
        access: 'update',
      });
      try {
        const job = await store.createReplayJob(
          {
            actor: 'alice',
            origin: 'ui',
            target: { ids: [2] },
            ratePerSecond: null,
            maxReplays: 3,
            force: false,
            total: 1,
            throughId: 2,
          },
          'runner-1',
        );
        const done = await store.updateReplayJob(job.id, 'runner-1', {
          cursor: 2,
          replayed: 1,
          refused: 0,
          failed: 0,
          replayedIds: [2],
          state: 'done',
        });
        expect(done.state).to.equal('done');
        expect((await store.get(2))?.status).to.equal('replayed');
        const audit = await store.listAudit({}, { limit: 10 });
        expect(audit.entries.map((entry) => entry.action)).to.deep.equal(['purge']);
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it('reads with a read-only PostgreSQL role, and refuses a schema the archiver never created', async () => {
    const suffix = randomBytes(4).toString('hex');
    const schema = `ricochet_readonly_${suffix}`;
    const role = `ricochet_reader_${suffix}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await archiveInSchema(schema);
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      const readOnly = postgresUrlFor(role, schema);

      const listed = await cli(['dlq', 'list', '--store', readOnly, '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      const records = (JSON.parse(listed.stdout) as { records: Array<{ id: number }> }).records;
      expect(records).to.have.length(2);
      const shown = await cli(['dlq', 'show', String(records[0]!.id), '--store', readOnly]);
      expect(shown.code, shown.stderr).to.equal(0);
      const stats = await cli(['dlq', 'stats', '--store', readOnly]);
      expect(stats.code, stats.stderr).to.equal(0);
      const exported = await cli(['dlq', 'export', '--store', readOnly]);
      expect(exported.code, exported.stderr).to.equal(0);
      expect(exported.stdout.trim().split('\n')).to.have.length(2);

      const absent = await cli(['dlq', 'list', '--store', postgresUrlFor(role, `${schema}_typo`)]);
      expect(absent.code).to.equal(2);
      expect(absent.stderr).to.include('no archive at').and.include('ricochet run dlq');
      const created = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
        `${schema}_typo`,
      ]);
      expect(created.rowCount, 'no schema created').to.equal(0);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});
