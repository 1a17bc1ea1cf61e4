import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import {
  closedLocalPort,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  spawnCli,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

import { deadLetters, quickArchiver } from './archiver-fixture.js';

const lockHolderScript = fileURLToPath(
  new URL('../fixtures/hold-sqlite-lock.mjs', import.meta.url),
);

async function archivedKeys(store: ArchiveStore): Promise<string[]> {
  const page = await store.list({}, { limit: 100 });
  return page.records.map((record) => record.key?.toString() ?? '').sort();
}

function keysFrom(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `dead-${from + index}`).sort();
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: await response.text() };
}

describe('archiver with an SQLite archive another process locks (real broker, real processes)', function () {
  this.timeout(120_000);

  it('keeps answering /healthz while the write lock is held for 15 s, is not ready meanwhile, commits nothing it did not store, and loses nothing', async () => {
    const dlq = uniqueName('dlq');
    const group = uniqueName('archiver');
    await createTestTopics([dlq], 1);
    const path = join(mkdtempSync(join(tmpdir(), 'ricochet-locked-')), 'dlq.db');
    const port = await closedLocalPort();
    const archiver = spawnCli([
      'run',
      'dlq',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--dlq',
      dlq,
      '--group',
      group,
      '--store',
      `sqlite:${path}`,
      '--http-port',
      String(port),
      '--brokers',
      testBrokers().join(','),
    ]);
    let holder: ChildProcess | undefined;
    try {
      await waitFor('the archiver ready', async () =>
        (await get(port, '/readyz').catch(() => undefined))?.status === 200 ? true : undefined,
      );
      await produceRecords(deadLetters(dlq, 0, 5));
      await waitFor('the first records committed', async () =>
        (await committedOffset(group, dlq)) === '5' ? true : undefined,
      );

      const holdMilliseconds = 15_000;
      const lockHolder = spawn(
        process.execPath,
        [lockHolderScript, path, String(holdMilliseconds)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      holder = lockHolder;
      let holderOutput = '';
      lockHolder.stdout!.on('data', (chunk: Buffer) => (holderOutput += chunk.toString()));
      const released = new Promise((resolve) => lockHolder.once('exit', resolve));
      await waitFor('the lock taken', () => (holderOutput.includes('locked') ? true : undefined));
      const lockedAt = Date.now();
      await produceRecords(deadLetters(dlq, 5, 5));

      let slowestHealthz = 0;
      const readinessReasons = new Set<string>();
      const committedWhileLocked = new Set<string | undefined>();
      while (!holderOutput.includes('released')) {
        const startedAt = Date.now();
        const health = await get(port, '/healthz');
        slowestHealthz = Math.max(slowestHealthz, Date.now() - startedAt);
        expect(health.status).to.equal(200);
        const readiness = await get(port, '/readyz');
        if (readiness.status !== 200) {
          readinessReasons.add((JSON.parse(readiness.body) as { reason: string }).reason);
        }
        const committed = await committedOffset(group, dlq);
        // Counted only when the lock was still held once the answer came back.
        if (!holderOutput.includes('released')) {
          committedWhileLocked.add(committed);
        }
        await sleep(200);
      }
      await released;
      expect(Date.now() - lockedAt).to.be.at.least(holdMilliseconds);
      expect(slowestHealthz, 'slowest /healthz answer while locked (ms)').to.be.below(1_000);
      expect([...readinessReasons].join('\n')).to.match(/archive store/);
      expect(
        [...committedWhileLocked],
        'nothing committed while the archive was locked',
      ).to.deep.equal(['5']);

      await waitFor('the held-up records stored and committed', async () =>
        (await committedOffset(group, dlq)) === '10' ? true : undefined,
      );
      await waitFor('ready again', async () =>
        (await get(port, '/readyz')).status === 200 ? true : undefined,
      );
      expect(await archiver.stop(), archiver.log()).to.equal(0);
      const reader = await openArchiveStore(`sqlite:${path}`, {
        logger: testLogger('archive'),
        access: 'read',
      });
      try {
        expect(await archivedKeys(reader), 'each record stored once').to.deep.equal(
          keysFrom(0, 10),
        );
      } finally {
        await reader.close();
      }
    } finally {
      holder?.kill('SIGKILL');
      archiver.kill();
    }
  });
});

describe('archiver whose SQLite file is deleted or replaced under it (real broker, SQLite)', function () {
  this.timeout(90_000);

  for (const fault of ['deleted', 'replaced'] as const) {
    it(`commits nothing once its file is ${fault}, and a restarted archiver stores every record after it`, async () => {
      const dlq = uniqueName('dlq');
      const group = uniqueName('archiver');
      await createTestTopics([dlq], 1);
      const directory = mkdtempSync(join(tmpdir(), `ricochet-${fault}-`));
      const path = join(directory, 'dlq.db');
      const start = async () => {
        const store = await openArchiveStore(`sqlite:${path}`, { logger: testLogger('archive') });
        const archiver = quickArchiver(store, dlq, group);
        await archiver.start();
        return { store, archiver };
      };

      const first = await start();
      try {
        await produceRecords(deadLetters(dlq, 0, 5));
        await waitFor('the first records committed', async () =>
          (await committedOffset(group, dlq)) === '5' ? true : undefined,
        );
        if (fault === 'deleted') {
          unlinkSync(path);
        } else {
          const otherPath = join(directory, 'other.db');
          const other = await openArchiveStore(`sqlite:${otherPath}`, {
            logger: testLogger('archive'),
          });
          await other.migrate();
          await other.close();
          renameSync(otherPath, path);
        }
        await produceRecords(deadLetters(dlq, 5, 5));
        const reason = await waitFor('the archiver not ready, saying why', () => {
          const readiness = first.archiver.readiness();
          return readiness.ready ? undefined : readiness.reason;
        });
        expect(reason).to.include(fault).and.include(path);
        await sleep(1_000);
        expect(await committedOffset(group, dlq), 'nothing committed past the file').to.equal('5');
      } finally {
        await first.archiver.stop();
        await first.store.close();
      }

      const second = await start();
      try {
        await waitFor('the records after the fault stored and committed', async () =>
          (await committedOffset(group, dlq)) === '10' ? true : undefined,
        );
        expect(await archivedKeys(second.store)).to.deep.equal(keysFrom(5, 5));
      } finally {
        await second.archiver.stop();
        await second.store.close();
      }
    });
  }
});
