import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveStore } from '@ricochet/archive';
import { testBrokers, testLogger } from '@ricochet/testing';
import { ricochet } from './topology-fixtures.js';

const password = 'hunter2-never-printed';

describe('ricochet topology and dlq replay read the connection settings as the services do', function () {
  this.timeout(60_000);
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ricochet-connection-cli-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("takes the brokers from RICOCHET_CONFIG's file, with the other roles' sections in it", async () => {
    const config = join(folder, 'ricochet.yaml');
    writeFileSync(
      config,
      [
        `brokers: ${testBrokers().join(',')}`,
        'clientId: ricochet-topology-test',
        'logLevel: debug',
        'main: {topics: [orders], handler: ./handler.mjs}',
        'delay: {tier: 5s}',
        'archiver: {store: "sqlite:./dlq.db"}',
      ].join('\n'),
    );
    const run = await ricochet(['topology', 'describe'], { RICOCHET_CONFIG: config });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^TOPIC\s+ROLE/);
    expect(run.stdout).to.match(/\(\d+ brokers? in the cluster\)/);
  });

  it('refuses an unknown SASL mechanism with exit code 2, naming it', async () => {
    const run = await ricochet(['topology', 'describe', '--sasl-mechanism', 'gssapi'], {
      KAFKA_BROKERS: testBrokers().join(','),
    });
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.include('--sasl-mechanism').and.include('"gssapi"');
  });

  it('refuses a SASL mechanism without a password with exit code 2', async () => {
    const run = await ricochet(
      ['topology', 'verify', '--sasl-mechanism', 'plain', '--sasl-username', 'svc'],
      { KAFKA_BROKERS: testBrokers().join(',') },
    );
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.include('RICOCHET_SASL_PASSWORD');
  });

  it('uses SASL when asked, and never prints the password when the broker refuses it', async () => {
    const run = await ricochet(
      ['topology', 'describe', '--sasl-mechanism', 'scram-sha-256', '--sasl-username', 'svc'],
      { KAFKA_BROKERS: testBrokers().join(','), RICOCHET_SASL_PASSWORD: password },
    );
    expect(run.exitCode, run.stderr).to.be.oneOf([1, 2]);
    expect(run.stdout + run.stderr).to.not.include(password);
    expect(run.milliseconds).to.be.lessThan(30_000);
  });

  describe('dlq replay', () => {
    let storeUrl: string;

    beforeEach(async () => {
      storeUrl = `sqlite:${join(folder, 'dlq.db')}`;
      const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
      await store.migrate();
      await store.close();
    });

    it('needs no brokers for a dry run', async () => {
      const run = await ricochet([
        'dlq',
        'replay',
        '--store',
        storeUrl,
        '--status',
        'archived',
        '--dry-run',
      ]);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.include('would replay 0 records');
    });

    it('names the missing brokers when it would send', async () => {
      const run = await ricochet(['dlq', 'replay', '--store', storeUrl, '--status', 'archived']);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.include('--brokers: no brokers given');
    });

    it('checks the SASL settings before it sends', async () => {
      const run = await ricochet(
        ['dlq', 'replay', '--store', storeUrl, '--status', 'archived', '--sasl-mechanism', 'x'],
        { KAFKA_BROKERS: testBrokers().join(',') },
      );
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.include('--sasl-mechanism');
    });
  });
});
