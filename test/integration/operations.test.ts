import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchiveStore } from '@ricochet/archive';
import {
  createTestTopics,
  produceRecords,
  sleep,
  spawnCli,
  testBrokers,
  testLogger,
  uniqueName,
  testMaxWaitMilliseconds,
  waitFor,
  type CliProcess,
} from '@ricochet/testing';
import { recreateTopics } from './pipeline-fixture.js';

const failOnceHandler = fileURLToPath(
  new URL('../fixtures/fail-once-handler.mjs', import.meta.url),
);

/**
 * SIGTERM once the service runs: on a loaded machine a process may still be loading after the
 * test's pauses, and a SIGTERM before it listens for one ends it by the signal, proving nothing.
 */
async function stopOnceRunning(service: CliProcess): Promise<number | null> {
  await waitFor('the service to run', () =>
    /consumer of [^"]* running/.test(service.log()) ? true : undefined,
  );
  return service.stop();
}

describe('running Ricochet (real service processes)', function () {
  this.timeout(180_000);

  it('loses nothing when the main and delay services are stopped with SIGTERM during holds and redeliveries', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('group');
    const dlq = uniqueName('dlq');
    const tier = 'retry-3s';
    const ledger = join(mkdtempSync(join(tmpdir(), 'ricochet-ledger-')), 'succeeded.txt');
    await recreateTopics([tier], 3);
    await createTestTopics([topic, dlq], 3);
    const brokers = testBrokers().join(',');
    const common = [
      '--brokers',
      brokers,
      '--dlq',
      dlq,
      '--session-timeout-ms',
      '6000',
      '--http-port',
      '0',
    ];
    const mainArgs = [
      'run',
      'main',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--topic',
      topic,
      '--group',
      group,
      '--handler',
      failOnceHandler,
      '--tiers',
      '3s',
      '--from-beginning',
      ...common,
    ];
    const delayArgs = ['run', 'delay', '--tier', tier, '--group', uniqueName('delay'), ...common];
    const environment = { RICOCHET_TEST_LEDGER: ledger };
    const count = 300;
    let main = spawnCli(mainArgs, environment);
    let delay = spawnCli(delayArgs);
    const stops: Array<number | null> = [];
    try {
      for (let wave = 0; wave < 3; wave += 1) {
        await produceRecords(
          Array.from({ length: count / 3 }, (_, index) => ({
            topic,
            key: Buffer.from(`order-${wave * (count / 3) + index}`),
            value: Buffer.from('{}'),
            headers: {},
          })),
        );
        await sleep(1_500);
        // Mid-hold: records of this wave wait in the tier; earlier waves are being redelivered.
        stops.push(await stopOnceRunning(delay));
        delay = spawnCli(delayArgs);
        await sleep(500);
        stops.push(await stopOnceRunning(main));
        main = spawnCli(mainArgs, environment);
      }
      const succeeded = await waitFor(
        'every record to succeed on its redelivery',
        () => {
          const ids = existsSync(ledger)
            ? new Set(readFileSync(ledger, 'utf8').trim().split('\n'))
            : new Set<string>();
          return ids.size === count ? ids : undefined;
        },
        { timeoutMilliseconds: 90_000 },
      );
      expect(succeeded.size).to.equal(count);
      expect(stops, 'every SIGTERM stopped its service cleanly').to.deep.equal([0, 0, 0, 0, 0, 0]);
      const successes = readFileSync(ledger, 'utf8').trim().split('\n').length;
      process.stderr.write(
        `      ${count} records, 6 SIGTERM restarts: lost 0, duplicate successes ${successes - count}\n`,
      );
    } finally {
      await main.stop();
      await delay.stop();
    }
  });

  for (const [layout, basePort, consolePort] of [
    ['per-tier', 19470, 19480],
    ['all-tiers', 19490, 19500],
  ] as const) {
    it(`ricochet demo (--delay-layout ${layout}) shows records succeeding after retries and dead-lettered, and leaves them in the archive`, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'ricochet-demo-'));
      const storeUrl = `sqlite:${join(folder, 'dlq.db')}`;
      const demo = spawnCli([
        'demo',
        '--brokers',
        testBrokers().join(','),
        // Long enough for the services to start on a loaded machine, then for a flaky record's
        // retry (the first tier is 2 s) and a dead letter's archiving.
        '--duration',
        '15',
        '--topic',
        uniqueName('demo-orders'),
        '--group',
        uniqueName('demo'),
        '--dlq',
        uniqueName('demo-dlq'),
        '--store',
        storeUrl,
        '--base-port',
        String(basePort),
        '--console-port',
        String(consolePort),
        '--delay-layout',
        layout,
        '--log-folder',
        join(folder, 'logs'),
      ]);
      // While the demo runs, its console lists the records the archiver stored.
      let consoleTotal = 0;
      let running = true;
      void demo.exited.then(() => (running = false));
      while (running && consoleTotal === 0) {
        const answer = await fetch(`http://127.0.0.1:${consolePort}/api/v1/records?limit=1`).then(
          async (response) => (response.ok ? ((await response.json()) as { total: number }) : null),
          () => null,
        );
        consoleTotal = answer?.total ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const exitCode = await demo.exited;
      const output = demo.log();
      expect(exitCode, output).to.equal(0);
      const lines = output.split('\n').filter((line) => line.startsWith('in '));
      const last = lines.at(-1) ?? '';
      process.stderr.write(`      demo summary (${layout}): ${last}\n`);
      const number = (label: string): number =>
        Number(new RegExp(`${label} (\\d+)`).exec(last)?.[1] ?? 0);
      expect(number('succeeded')).to.be.above(0);
      expect(number('retried'), 'records succeeded after retries').to.be.above(0);
      expect(number('dead-lettered')).to.be.above(0);
      expect(output).to.contain(`ricochet dlq list --store ${storeUrl}`);
      expect(output).to.contain(`console at http://127.0.0.1:${consolePort}`);
      expect(consoleTotal, 'the console listed archived records').to.be.above(0);
      const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
      try {
        await store.migrate();
        expect((await store.stats({}, 'day')).total).to.be.above(0);
      } finally {
        await store.close();
      }
    });
  }
});
