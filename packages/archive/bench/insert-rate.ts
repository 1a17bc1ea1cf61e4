/**
 * Insert throughput of each archive backend for batch sizes 1, 100 and 1000, printed as a table.
 * Run: npx tsx packages/archive/bench/insert-rate.ts
 * PostgreSQL: RICOCHET_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the
 * run uses a schema of its own and drops it. SQLite: a file in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '@ricochet/core';
import { openArchiveStore, type ArchiveInput, type ArchiveStore } from '../src/index.js';

const postgresUrl =
  process.env.RICOCHET_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Records per run, per batch size: enough for a second or more of work at each size. */
const runs: ReadonlyArray<{ readonly batchSize: number; readonly records: number }> = [
  { batchSize: 1, records: 2_000 },
  { batchSize: 100, records: 20_000 },
  { batchSize: 1_000, records: 50_000 },
];

const silent: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

let offset = 0;
const value = randomBytes(1024);

/** A typical dead letter: a 1 KiB value, a few headers, the error fields set. */
function record(): ArchiveInput {
  offset += 1;
  return {
    dlqTopic: 'dlq',
    dlqPartition: offset % 6,
    dlqOffset: String(offset),
    originalTopic: 'orders',
    originalPartition: offset % 12,
    originalOffset: String(offset * 3),
    originalTimestamp: Date.now(),
    key: Buffer.from(`order-${offset}`),
    value,
    headers: [
      { name: 'try_count', value: Buffer.from('4') },
      { name: 'error-class', value: Buffer.from('TimeoutError') },
      { name: 'trace-id', value: randomBytes(16) },
    ],
    tryCount: 4,
    retryGroup: 'billing',
    errorClass: 'TimeoutError',
    errorMessage: 'charge timed out after 5000 ms',
    errorStack: 'TimeoutError: charge timed out\n    at charge (billing.js:10:5)',
    firstFailureAt: Date.now() - 60_000,
    lastFailureAt: Date.now(),
    deadLetterReason: 'retries-exhausted',
    searchableValue: null,
  };
}

async function measure(store: ArchiveStore, batchSize: number, records: number): Promise<number> {
  const batches = Array.from({ length: records / batchSize }, () =>
    Array.from({ length: batchSize }, record),
  );
  const started = process.hrtime.bigint();
  for (const batch of batches) {
    await store.insert(batch);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return records / seconds;
}

async function bench(name: string, url: string, cleanup: () => Promise<void>): Promise<string[]> {
  const store = await openArchiveStore(url, { logger: silent, timeoutMs: 3_000 });
  try {
    await store.migrate();
    const rates: string[] = [];
    for (const { batchSize, records } of runs) {
      rates.push(Math.round(await measure(store, batchSize, records)).toLocaleString('en-US'));
    }
    return [name, ...rates];
  } catch (error) {
    return [name, ...runs.map(() => `failed: ${(error as Error).message}`)];
  } finally {
    await store.close();
    await cleanup();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ricochet-bench-'));
const sqliteRow = await bench('sqlite (file, WAL)', `sqlite:${join(dir, 'bench.db')}`, async () =>
  rmSync(dir, { recursive: true, force: true }),
);

const schema = `ricochet_bench_${process.pid}`;
const target = new URL(postgresUrl);
target.searchParams.set('schema', schema);
const postgresRow = await bench('postgres', target.toString(), async () => {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // Nothing was created if the server could not be reached.
  } finally {
    await client.end().catch(() => {});
  }
});

const header = ['backend', ...runs.map(({ batchSize }) => `batch ${batchSize} (rec/s)`)];
const rows = [header, sqliteRow, postgresRow];
const widths = header.map((_, column) =>
  Math.max(...rows.map((row) => (row[column] ?? '').length)),
);
// The backend name left-aligned, the rates right-aligned.
const line = (row: readonly string[]): string =>
  row
    .map((cell, column) =>
      column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
    )
    .join('  ');
process.stdout.write(`${rows.map(line).join('\n')}\n`);
