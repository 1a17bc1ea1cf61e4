import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closedLocalPort,
  listenSilently,
  sleep,
  spawnCli,
  waitFor,
  type CliProcess,
} from '@ricochet/testing';

const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

/** Far beyond the exit the test expects: exiting when it runs out would be the old behaviour. */
const shutdownTimeoutMs = 20_000;
/** Less than the Kafka client's own connection retries take to give up (about 10 s, refused). */
const exitWithinMilliseconds = 5_000;

const roleArguments = {
  main: () => ['main', '--topic', 'orders', '--handler', handlerModule, '--dlq', 'dlq'],
  delay: () => ['delay', '--tier', '5s'],
  // Each of several tiers keeps its own group: --group names one, so it is refused here.
  'delay --all-tiers': () => ['delay', '--all-tiers'],
  dlq: () => [
    'dlq',
    '--store',
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-start-signal-')), 'dlq.db')}`,
  ],
} as const;

function startService(role: keyof typeof roleArguments, brokers: string): CliProcess {
  return spawnCli([
    'run',
    ...roleArguments[role](),
    ...(role === 'delay --all-tiers' ? [] : ['--group', `start-signal-${role}`]),
    '--brokers',
    brokers,
    '--http-port',
    '0',
    '--shutdown-timeout-ms',
    String(shutdownTimeoutMs),
    '--log-format',
    'json',
  ]);
}

/** The exit code, or `undefined` when the process is still running after `milliseconds`. */
async function exitWithin(
  service: CliProcess,
  milliseconds: number,
): Promise<number | null | undefined> {
  return Promise.race([service.exited, sleep(milliseconds).then(() => undefined)]);
}

async function expectAbandonedCleanly(service: CliProcess): Promise<void> {
  const signalledAt = Date.now();
  service.child.kill('SIGTERM');
  const exitCode = await exitWithin(service, exitWithinMilliseconds);
  const output = service.log();
  expect(exitCode, `exit code within ${exitWithinMilliseconds} ms\n${output}`).to.equal(0);
  expect(Date.now() - signalledAt).to.be.lessThan(exitWithinMilliseconds);
  expect(output).to.include('start abandoned on signal');
  expect(output, 'nothing is reported as a failure to start').to.not.include('failed to start');
}

describe('a signal while a service is still connecting (real processes)', function () {
  this.timeout(30_000);

  for (const role of ['main', 'delay', 'delay --all-tiers', 'dlq'] as const) {
    it(`ricochet run ${role} abandons the start and exits 0 on SIGTERM when nothing listens at the broker address`, async () => {
      const service = startService(role, `127.0.0.1:${await closedLocalPort()}`);
      try {
        // The client is retrying: it has been refused at least once.
        await waitFor('a refused connection', () =>
          service.log().includes('ECONNREFUSED') ? true : undefined,
        );
        await sleep(1_000);
        await expectAbandonedCleanly(service);
      } finally {
        service.kill();
      }
    });
  }

  it('ricochet run delay abandons the start and exits 0 on SIGTERM when the broker address accepts connections but never answers', async () => {
    const listener = await listenSilently();
    const service = startService('delay', `127.0.0.1:${listener.port}`);
    try {
      await waitFor('the client to connect', () => (listener.accepted() > 0 ? true : undefined));
      await sleep(1_000);
      await expectAbandonedCleanly(service);
    } finally {
      service.kill();
      await listener.close();
    }
  });

  // Chaos run, cluster-ci, seed 2072890696: a delay instance scaled down 1 s after it was
  // restarted was killed by the SIGTERM (no listener yet) instead of exiting 0.
  it('ricochet run main exits 0 on SIGTERM before its service starts (its handler module still loading)', async () => {
    const service = spawnCli([
      'run',
      'main',
      '--topic',
      'orders',
      '--handler',
      fileURLToPath(new URL('../fixtures/slow-import-handler.mjs', import.meta.url)),
      '--dlq',
      'dlq',
      '--group',
      'start-signal-before-running',
      '--brokers',
      `127.0.0.1:${await closedLocalPort()}`,
      '--http-port',
      '0',
      '--log-format',
      'json',
    ]);
    try {
      await waitFor('the settings logged', () =>
        service.log().includes('"message":"starting"') ? true : undefined,
      );
      service.child.kill('SIGTERM');
      const exitCode = await exitWithin(service, exitWithinMilliseconds);
      expect(exitCode, service.log()).to.equal(0);
      expect(service.log()).to.include('signal before the service started');
      expect(service.log(), 'the service never started').to.not.include('ECONNREFUSED');
    } finally {
      service.kill();
    }
  });
});
