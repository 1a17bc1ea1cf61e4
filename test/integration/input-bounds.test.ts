import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchiveStore } from '@ricochet/archive';
import {
  runCliCaptured,
  spawnCli,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

const handler = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

/**
 * Runs a service command as its own process: a value that got through would start a service that
 * never ends on its own, so the test stops it and fails rather than waiting forever.
 */
async function runService(args: readonly string[]): Promise<{ code: number | null; log: string }> {
  const service = spawnCli(['run', ...args]);
  try {
    const code = await waitFor(
      `ricochet run ${args.join(' ')} to exit`,
      async () => {
        const exited = service.child.exitCode;
        return exited === null ? undefined : { exited };
      },
      { timeoutMilliseconds: 20_000 },
    );
    return { code: code.exited, log: service.log() };
  } finally {
    service.kill();
  }
}

/**
 * Runs a service command in this process, which spares a node start: most cases prove the check,
 * and the two run as processes prove the exit code. A value that got through would start a
 * service that never returns, so the test fails after a bound rather than waiting forever.
 */
async function runServiceInProcess(
  args: readonly string[],
): Promise<{ code: number | null; log: string }> {
  let bound: NodeJS.Timeout | undefined;
  const tookTheValue = new Promise<never>((_resolve, reject) => {
    bound = setTimeout(
      () => reject(new Error(`ricochet run ${args.join(' ')} did not return: it took the value`)),
      20_000,
    );
  });
  try {
    const run = await Promise.race([runCliCaptured(['run', ...args]), tookTheValue]);
    return { code: run.code, log: run.stderr + run.stdout };
  } finally {
    clearTimeout(bound);
  }
}

describe('ricochet refuses out-of-range input with exit code 2 and the field named', function () {
  this.timeout(60_000);
  const brokers = () => testBrokers().join(',');

  describe('services (ricochet run, the real broker; two as processes, for the exit code)', () => {
    const mainService = [
      'main',
      '--brokers',
      'BROKERS',
      '--topic',
      'orders',
      '--group',
      'GROUP',
      '--handler',
      handler,
    ];
    const cases: [string, string[], RegExp, 'process' | 'in-process'][] = [
      [
        'a concurrency far beyond any partition count',
        [...mainService, '--concurrency', '100000000'],
        /--concurrency: must be a whole number from 1 to 1000, got 100000000/,
        'process',
      ],
      [
        'a broker port above 65535',
        ['delay', '--tier', '5s', '--brokers', 'localhost:99999'],
        /--brokers: "localhost:99999" has port 99999; a port is from 1 to 65535/,
        'process',
      ],
      [
        'a session timeout the broker would refuse',
        ['delay', '--tier', '5s', '--brokers', 'BROKERS', '--session-timeout-ms', '1'],
        /--session-timeout-ms: must be a whole number from 6000 to 1800000, got 1/,
        'in-process',
      ],
      [
        'a tier longer than a timer can wait',
        ['delay', '--tier', '25d', '--brokers', 'BROKERS'],
        /--tier: "25d" is longer than a tier can wait: at most 2147483647 ms/,
        'in-process',
      ],
      [
        'a ladder with a tier longer than a timer can wait',
        [...mainService, '--tiers', '5s,30d'],
        /--tiers\[1\]: "30d" is longer than a tier can wait/,
        'in-process',
      ],
    ];
    for (const [problem, args, message, how] of cases) {
      it(problem, async () => {
        const group = uniqueName('bounds');
        const run = await (how === 'process' ? runService : runServiceInProcess)(
          args.map((arg) => (arg === 'BROKERS' ? brokers() : arg === 'GROUP' ? group : arg)),
        );
        expect(run.code, run.log).to.equal(2);
        expect(run.log).to.match(message);
      });
    }
  });

  describe('topology and dlq commands (the real broker, a real SQLite archive)', () => {
    let storeUrl: string;

    before(async () => {
      storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-bounds-')), 'dlq.db')}`;
      const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
      await store.migrate();
      await store.close();
    });

    const cases: [string, () => string[], RegExp][] = [
      [
        "Kafka's internal offsets topic as a source topic",
        () => [
          'topology',
          'create',
          '--brokers',
          brokers(),
          '--dry-run',
          '--topic',
          '__consumer_offsets',
        ],
        /--topic: "__consumer_offsets" begins with "__", which Kafka keeps for its internal topics/,
      ],
      [
        'a topology tier longer than a timer can wait',
        () => ['topology', 'create', '--brokers', brokers(), '--dry-run', '--tiers', '5s,25d'],
        /--tiers\[1\]: "25d" is longer than a tier can wait/,
      ],
      [
        'a --since day past the end of its month',
        () => ['dlq', 'list', '--store', storeUrl, '--since', '2026-02-30T00:00:00Z'],
        /--since: "2026-02-30T00:00:00Z" names a day that is not in the calendar/,
      ],
      [
        'a --until month that does not exist',
        () => ['dlq', 'list', '--store', storeUrl, '--until', '2026-13-01'],
        /--until: "2026-13-01"/,
      ],
      [
        'an id in exponent notation',
        () => ['dlq', 'show', '1e2', '--store', storeUrl],
        /ID: "1e2" is not an archive id/,
      ],
      [
        'an id in hexadecimal',
        () => ['dlq', 'show', '0x10', '--store', storeUrl],
        /ID: "0x10" is not an archive id/,
      ],
      [
        'ids in exponent notation to replay',
        () => ['dlq', 'replay', '1e0', '--store', storeUrl, '--dry-run'],
        /ID: "1e0" is not an archive id/,
      ],
      [
        '--limit without its value',
        () => ['dlq', 'list', '--store', storeUrl, '--limit'],
        /Not enough arguments following: limit/,
      ],
      [
        '--limit of zero',
        () => ['dlq', 'list', '--store', storeUrl, '--limit', '0'],
        /--limit: must be a whole number from 1 to 10000, got 0/,
      ],
    ];
    for (const [problem, args, message] of cases) {
      it(problem, async () => {
        const run = await runCliCaptured(args());
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.match(message);
      });
    }
  });
});
