import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** RICOCHET_BENCH_POSTGRES_URL, else the machine's PostgreSQL as the tests use it. */
export const postgresUrl =
  process.env.RICOCHET_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** An archive store for one scenario: where it is, and how to remove it afterwards. */
export interface ArchiveBackend {
  readonly kind: 'sqlite' | 'postgres';
  readonly name: string;
  readonly url: string;
  /** SQLite: the database file. */
  readonly file?: string;
  /** PostgreSQL: the run's own schema. */
  readonly schema?: string;
  readonly cleanUp: () => Promise<void>;
}

/** An SQLite file (WAL, as the archiver creates it) in a temporary directory of its own. */
export function sqliteBackend(): ArchiveBackend {
  const directory = mkdtempSync(join(tmpdir(), 'ricochet-bench-'));
  const file = join(directory, 'bench.db');
  return {
    kind: 'sqlite',
    name: 'SQLite (file, WAL)',
    url: `sqlite:${file}`,
    file,
    cleanUp: async () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** PostgreSQL, in a schema of the run's own that is dropped afterwards. */
export function postgresBackend(runId: string, suffix = ''): ArchiveBackend {
  const schema = `${runId}${suffix}`.replaceAll('-', '_');
  const target = new URL(postgresUrl);
  target.searchParams.set('schema', schema);
  return {
    kind: 'postgres',
    name: 'PostgreSQL',
    url: target.toString(),
    schema,
    cleanUp: async () => {
      await withPostgresClient(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      });
    },
  };
}

/** A client of the bench's PostgreSQL, closed after `use`. */
export async function withPostgresClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
