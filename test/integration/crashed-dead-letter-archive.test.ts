import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetryHeader } from '@ricochet/core';
import { openArchiveStore } from '@ricochet/archive';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import {
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  testConnection,
  testLogger,
  testMaxWaitMilliseconds,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { spawnFixture } from './fixture-process.js';

const childScript = 'test/integration/crashed-dead-letter-child.ts';

describe('a record dead-lettered for crashing the process (real broker, real processes, SQLite archive)', function () {
  this.timeout(240_000);

  // G9. The chaos run's cluster-ci profile, seed 1369103343, archived a crashing record twice as
  // handler-crashed (two dead letters of one source position): an owner dead-lettered it and
  // died before its commit, and the next owner dead-lettered it again. Such a first attempt's dead
  // letter carried its original position but no retry-group, and the archive's one-per-original
  // index treats a missing group as distinct from every other.
  it('archives it once when its owner is killed -9 between the dead-letter publish and the commit', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const dlq = uniqueName('dlq');
    await createTestTopics([topic, dlq], 1);
    await produceRecords(
      ['before', 'poison', 'after'].map((key) => ({
        topic,
        key: Buffer.from(key),
        value: Buffer.from(key),
        headers: {},
      })),
    );
    const deadLetters = await collectTopic(dlq);
    try {
      // maxHandlerCrashes 1: the first kill is not pinned on the record, the second is counted,
      // and the third owner dead-letters it, then dies once the dead letter is acknowledged.
      for (let ends = 1; ; ends += 1) {
        const run = spawnFixture(childScript, [topic, group, dlq], { DIE_AFTER_DEAD_LETTER: '1' });
        await run.exited;
        if (run.log().includes('dead letter acknowledged')) {
          break;
        }
        expect(ends, `ended ${ends} times without a dead letter\n${run.log()}`).to.be.below(3);
      }
      await waitFor('the dead letter collected', () =>
        deadLetters.records.length === 1 ? true : undefined,
      );
      expect(await committedOffset(group, topic), 'nothing committed past the record').to.equal(
        '1',
      );

      const last = spawnFixture(childScript, [topic, group, dlq]);
      try {
        await waitFor(
          'the next owner to dead-letter the record again and go on',
          async () => ((await committedOffset(group, topic)) === '3' ? true : undefined),
          { timeoutMilliseconds: 60_000 },
        );
      } finally {
        last.child.kill('SIGTERM');
        await last.exited;
      }
      await waitFor('the second dead letter collected', () =>
        deadLetters.records.length === 2 ? true : undefined,
      );
      const identity = (index: number) => {
        const headers = deadLetters.records[index]!.headers;
        return [
          RetryHeader.deadLetterReason,
          RetryHeader.originalTopic,
          RetryHeader.originalPartition,
          RetryHeader.originalOffset,
        ].map((name) => headers[name]?.toString());
      };
      expect(identity(0)).to.deep.equal(['handler-crashed', topic, '0', '1']);
      expect(identity(1)).to.deep.equal(identity(0));
    } finally {
      await deadLetters.stop();
    }

    const store = await openArchiveStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-crashed-')), 'dlq.db')}`,
      { logger: testLogger('archive') },
    );
    const reports: Array<{ stored: number; duplicates: number }> = [];
    const archiver = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic: dlq,
      groupId: uniqueName('archiver'),
      store,
      logger: testLogger('dlq'),
      searchableText: async () => null,
      onArchived: (stored, duplicates) => reports.push({ stored, duplicates }),
    });
    await archiver.start();
    try {
      await waitFor('both dead letters read by the archiver', () =>
        reports.reduce((sum, report) => sum + report.stored + report.duplicates, 0) === 2
          ? true
          : undefined,
      );
      const page = await store.list({}, { limit: 10 });
      expect(page.records.map((record) => record.originalOffset)).to.deep.equal(['1']);
      expect(page.records[0]!.retryGroup).to.equal(group);
    } finally {
      await archiver.stop();
      await store.close();
    }
  });
});
