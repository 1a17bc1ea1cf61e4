import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChaosBroker } from '@ricochet/chaos';
import { kafkaScript, runCliCaptured, sleep, spawnCli, waitFor } from '@ricochet/testing';

describe('a service across a broker restart (a broker of the test’s own)', function () {
  this.timeout(180_000);
  const stateDir = mkdtempSync(join(tmpdir(), 'ricochet-broker-restart-'));
  // The shared test broker must never restart: this test starts, restarts and stops its own.
  const broker = new ChaosBroker({
    script: kafkaScript,
    stateDir,
    port: 29292,
    controllerPort: 29293,
  });

  before(async () => {
    await broker.reset();
    await broker.start();
  });

  after(async () => {
    await broker.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('a delay service that lived through a broker restart exits 0 on SIGTERM', async () => {
    const created = await runCliCaptured([
      'topology',
      'create',
      '--brokers',
      broker.brokers.join(','),
      '--tiers',
      '1s',
      '--replication-factor',
      '1',
    ]);
    expect(created.code, created.stderr).to.equal(0);
    const service = spawnCli([
      'run',
      'delay',
      '--tier',
      'retry-1s',
      '--brokers',
      broker.brokers.join(','),
      '--http-port',
      '0',
      '--session-timeout-ms',
      '6000',
    ]);
    try {
      await waitFor('the service to join', () =>
        service.log().includes('partitions assigned') ? true : undefined,
      );
      await broker.restart('stop');
      // Heartbeats (every 3 s) reach the broker again: kafkajs reopens the group coordinator's
      // connection, on a broker object it no longer tracks, and leaves it open when the consumer
      // disconnects. The process must end anyway once the service has stopped.
      await sleep(8_000);
      const exitCode = await Promise.race([
        service.stop(),
        sleep(30_000).then(() => 'still running'),
      ]);
      expect(exitCode, service.log()).to.equal(0);
    } finally {
      service.kill();
    }
  });
});
