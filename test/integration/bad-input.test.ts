// Issue 6, the bad-input suite: every malformed record of the table in bad-input-cases.ts goes
// through the real services on the real broker, all at once; then each case is checked on its
// own. A case ends either in the dead-letter topic exactly once, with its reason, archived; or
// handled, for the reason its table entry gives. Meanwhile no service may crash, restart or leave
// a promise rejection unhandled.
import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  RetryHeader,
  readHeaderText,
  userHeaders,
  type HeaderValue,
  type RecordHeaders,
} from '@ricochet/core';
import type { ArchivedRecord } from '@ricochet/archive';
import { createBulkProducer, type BulkProducer } from '@ricochet/kafka';
import { sleep, testDriver, testKafka, waitFor, type CollectedRecord } from '@ricochet/testing';
import {
  badInputCases,
  caseFamilies,
  caseHeader,
  type BadInputCase,
  type CaseRecord,
} from './bad-input-cases.js';
import { caseNameOf, startBadInputPipeline, type BadInputPipeline } from './bad-input-pipeline.js';

/** Header values as comparable text: each value as hex, a repeated header as a list. */
function comparable(headers: RecordHeaders): Record<string, string[]> {
  const hex = (value: HeaderValue): string =>
    (typeof value === 'string' ? Buffer.from(value) : value).toString('hex');
  return Object.fromEntries(
    Object.entries(userHeaders(headers)).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(hex) : [hex(value)],
    ]),
  );
}

/**
 * The headers as the tests' driver can carry them. librdkafka's C API gives a header's name as
 * a C string, so it cuts the name at its first NUL byte, both ways (docs/drivers.md): on that
 * driver the case of a NUL in a name shows the cut name, not the one sent.
 */
function carried(headers: RecordHeaders): RecordHeaders {
  if (testDriver() !== 'librdkafka') {
    return headers;
  }
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.split('\u0000')[0]!, value]),
  );
}

/** Byte equality without a megabyte diff in the failure message. */
function sameBytes(actual: Buffer | null, expected: Buffer | null): boolean {
  return actual === null || expected === null ? actual === expected : actual.equals(expected);
}

async function produceCase(
  producer: BulkProducer,
  topic: string,
  item: BadInputCase,
): Promise<void> {
  await producer.send(
    topic,
    item.records.map((record: CaseRecord) => ({
      ...record,
      headers: { ...record.headers, [caseHeader]: item.name },
    })),
  );
}

function isSettled(pipeline: BadInputPipeline, item: BadInputCase, archived: number): boolean {
  const expected = item.expect;
  switch (expected.kind) {
    case 'dead-lettered':
      return (
        pipeline.deadLetters.some((record) => caseNameOf(record) === item.name) &&
        archived >= pipeline.deadLetters.length
      );
    case 'handled':
      return (pipeline.handlerTries.get(item.name)?.length ?? 0) >= expected.handlerTries.length;
    case 'skipped':
      return (pipeline.outcomes.get(item.name) ?? []).length > 0;
  }
}

describe('bad input: malformed records through the real services (real broker, registry, SQLite archive)', function () {
  this.timeout(180_000);
  let pipeline: BadInputPipeline;
  const unhandledRejections: unknown[] = [];
  const onUnhandledRejection = (reason: unknown): void => {
    unhandledRejections.push(reason);
  };
  /** The archive by dead-letter position, `partition:offset`. */
  const archive = new Map<string, ArchivedRecord>();
  let unsettled: string[] = [];

  before(async () => {
    process.on('unhandledRejection', onUnhandledRejection);
    pipeline = await startBadInputPipeline(badInputCases);
    const archivedCount = async (): Promise<number> =>
      (await pipeline.store.stats({}, 'day')).total;
    const settle = (cases: readonly BadInputCase[]): Promise<unknown> =>
      waitFor(
        'every case to settle',
        async () => {
          const archived = await archivedCount();
          unsettled = cases
            .filter((item) => !isSettled(pipeline, item, archived))
            .map((item) => item.name);
          return unsettled.length === 0 ? true : undefined;
        },
        { timeoutMilliseconds: 90_000 },
      ).catch(() => undefined); // each case then reports its own failure
    // Sends the records exactly as the table writes them, own timestamps included.
    const producer = createBulkProducer(testKafka('bad-input-producer'));
    await producer.connect();
    try {
      const first = pipeline.cases.filter((item) => item.goesFirst !== undefined);
      for (const item of first) {
        await produceCase(producer, pipeline.topicOf(item.entry), item);
      }
      await settle(first);
      for (const item of pipeline.cases.filter((candidate) => !first.includes(candidate))) {
        await produceCase(producer, pipeline.topicOf(item.entry), item);
      }
    } finally {
      await producer.disconnect();
    }
    await settle(pipeline.cases);
    // Time for anything extra (a duplicate, a second dead letter) to show.
    await sleep(pipeline.context.tierDelayMilliseconds + 2_000);
    for await (const record of pipeline.store.iterate({})) {
      archive.set(`${record.dlqPartition}:${record.dlqOffset}`, record);
    }
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandledRejection);
    await pipeline?.stop();
  });

  function expectServicesHealthy(): void {
    for (const service of pipeline.services) {
      expect(service.state(), `${service.name} state`).to.equal('running');
      expect(
        service.joins,
        `${service.name} joined its group once (no crash, no restart)`,
      ).to.equal(1);
      expect(service.refusedCommits, `${service.name} refused commits`).to.equal(0);
    }
    expect(unhandledRejections, 'unhandled rejections').to.deep.equal([]);
  }

  function deadLettersOf(item: BadInputCase): CollectedRecord[] {
    return pipeline.deadLetters.filter((record) => caseNameOf(record) === item.name);
  }

  async function expectArchived(item: BadInputCase, deadLetter: CollectedRecord): Promise<void> {
    const listed = archive.get(`${deadLetter.partition}:${deadLetter.offset}`);
    expect(listed, 'archived under its dead-letter position').to.not.equal(undefined);
    const shown = await pipeline.store.get(listed!.id);
    expect(shown!.deadLetterReason).to.equal(
      readHeaderText(deadLetter.headers, RetryHeader.deadLetterReason),
    );
    expect(sameBytes(shown!.key, item.records[0]!.key), 'archived key').to.equal(true);
    expect(sameBytes(shown!.value, item.records[0]!.value), 'archived value').to.equal(true);
    expect(shown!.headers.find((header) => header.name === caseHeader)?.value.toString()).to.equal(
      item.name,
    );
  }

  async function expectCase(item: BadInputCase): Promise<void> {
    expectServicesHealthy();
    const expected = item.expect;
    const deadLetters = deadLettersOf(item);
    const tries = pipeline.handlerTries.get(item.name) ?? [];
    // A case that never settled says how far it got: whether its records reached a handler at
    // all, and what the main consumer made of them.
    const settledNote = unsettled.includes(item.name)
      ? ` (never settled; handler tries ${inspect(tries)}, outcomes ${inspect(pipeline.outcomes.get(item.name) ?? [], { depth: 3 })})`
      : '';
    if (expected.kind !== 'dead-lettered') {
      expect(deadLetters, `dead letters${settledNote}`).to.have.length(0);
      if (expected.kind === 'handled') {
        expect(tries, `handler calls${settledNote}`).to.deep.equal(expected.handlerTries);
      } else {
        expect(
          pipeline.outcomes.get(item.name),
          `main consumer outcomes${settledNote}`,
        ).to.deep.equal([
          {
            kind: 'skipped-other-group',
            retryGroup: readHeaderText(item.records[0]!.headers, RetryHeader.retryGroup),
          },
        ]);
        expect(tries, 'handler calls').to.deep.equal([]);
      }
      return;
    }
    expect(deadLetters, `dead letters${settledNote}`).to.have.length(1);
    const [deadLetter] = deadLetters;
    expect(
      readHeaderText(deadLetter!.headers, RetryHeader.deadLetterReason),
      'dead-letter-reason',
    ).to.equal(expected.reason);
    const detail = readHeaderText(deadLetter!.headers, RetryHeader.deadLetterDetail) ?? '';
    expect(detail, 'dead-letter-detail').to.contain(expected.detail ?? '');
    if (expected.tryCount !== undefined) {
      expect(readHeaderText(deadLetter!.headers, RetryHeader.tryCount), 'try_count').to.equal(
        String(expected.tryCount),
      );
    }
    expect(tries, 'handler calls').to.deep.equal(expected.handlerTries);
    const [produced] = item.records;
    expect(sameBytes(deadLetter!.key, produced!.key), 'the key travels unchanged').to.equal(true);
    expect(sameBytes(deadLetter!.value, produced!.value), 'the value travels unchanged').to.equal(
      true,
    );
    expect(comparable(deadLetter!.headers), 'user headers travel unchanged').to.deep.include(
      comparable(carried(produced!.headers as RecordHeaders)),
    );
    await expectArchived(item, deadLetter!);
  }

  // The table needs the running pipeline only for topic names and times, not for its shape.
  const table = badInputCases({
    now: 0,
    tierTopic: 'retry-1s',
    tierDelayMilliseconds: 1_000,
    dlqTopic: 'dlq',
    sourceTopic: 'source',
    sourcePartitions: 2,
    smallSourceTopic: 'small-source',
    groupId: 'group',
    sourceMessageMaxBytes: 1_024,
    knownSchemaId: 1,
  });
  for (const family of Object.values(caseFamilies)) {
    describe(family, () => {
      for (const { name } of table.filter((item) => item.family === family)) {
        it(name, async () => {
          const item = pipeline.cases.find((candidate) => candidate.name === name)!;
          await expectCase(item);
        });
      }
    });
  }

  describe('the services afterwards', () => {
    it('are all still running, joined their groups once, and no promise rejection went unhandled', () => {
      expectServicesHealthy();
    });

    it('archived every dead letter exactly once, and dead-lettered nothing outside the table', () => {
      expect(archive.size).to.equal(pipeline.deadLetters.length);
      const names = new Set(pipeline.cases.map((item) => item.name));
      const strays = pipeline.deadLetters.filter((record) => !names.has(caseNameOf(record) ?? ''));
      expect(strays.map((record) => caseNameOf(record))).to.deep.equal([]);
    });
  });
});
