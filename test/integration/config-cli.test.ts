import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { defaultConcurrency } from '@ricochet/main-consumer/defaults';
import { ricochet } from './topology-fixtures.js';

const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'ricochet-config-cli-'));

function writeConfig(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe('ricochet config check', function () {
  this.timeout(30_000);

  it('prints the resolved settings as YAML and exits 0, connecting to nothing', async () => {
    const run = await ricochet([
      'config',
      'check',
      'delay',
      '--brokers',
      '127.0.0.1:1',
      '--tier',
      '60s',
    ]);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stderr).to.equal('');
    const printed = parse(run.stdout);
    expect(printed).to.deep.include({
      role: 'delay',
      delay: {
        tiers: [{ topic: 'retry-1m', group: 'ricochet-delay-retry-1m' }],
        maxWaitMs: 50,
        readAheadMs: 2_000,
        readAheadBytes: 33_554_432,
        allowedTopics: null,
      },
      http: { port: 9464, host: '0.0.0.0' },
    });
    expect(printed.kafka).to.deep.include({
      brokers: ['127.0.0.1:1'],
      clientId: 'ricochet-delay',
      sasl: null,
    });
    expect(printed.sources).to.include({ 'delay.tier': '--tier', 'http.port': 'default' });
  });

  it('prints JSON with --json, and the SASL password redacted', async () => {
    const run = await ricochet(
      [
        'config',
        'check',
        'main',
        '--json',
        '--topic',
        'orders',
        '--group',
        'billing',
        '--handler',
        handlerModule,
        '--sasl-mechanism',
        'scram-sha-512',
        '--sasl-username',
        'billing',
      ],
      { KAFKA_BROKERS: 'kafka:9092', RICOCHET_SASL_PASSWORD: 'p4ssw0rd-secret' },
    );
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.not.include('p4ssw0rd-secret');
    const printed = JSON.parse(run.stdout);
    expect(printed.kafka.sasl).to.deep.equal({
      mechanism: 'scram-sha-512',
      username: 'billing',
      password: '***',
    });
    expect(printed.main).to.deep.include({
      topics: ['orders'],
      tiers: '5s,1m,10m',
      concurrency: defaultConcurrency,
    });
    expect(printed.sources.brokers).to.equal('KAFKA_BROKERS');
  });

  it('reads a YAML config file named by --config, under the environment and the flags', async () => {
    const config = writeConfig(
      'services.yaml',
      [
        'brokers: [file-a:9092, file-b:9092]',
        'logLevel: warn',
        'http: {port: 9100}',
        'shutdownTimeoutMs: 5000',
        'archiver:',
        '  store: sqlite:./archive.db',
      ].join('\n'),
    );
    const run = await ricochet(
      ['config', 'check', 'dlq', '--json', '--config', config, '--http-port', '9200'],
      { RICOCHET_LOG_LEVEL: 'debug' },
    );
    expect(run.exitCode, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.kafka.brokers).to.deep.equal(['file-a:9092', 'file-b:9092']);
    expect(printed.logLevel).to.equal('debug');
    expect(printed.http.port).to.equal(9200);
    expect(printed.shutdownTimeoutMs).to.equal(5000);
    expect(printed.archiver.store).to.equal('sqlite:./archive.db');
    expect(printed.sources['shutdownTimeoutMs']).to.equal(`${config}: shutdownTimeoutMs`);
  });

  it('reads a JSON config file named by RICOCHET_CONFIG', async () => {
    const config = writeConfig(
      'services.json',
      '{"brokers": "json:9092", "delay": {"tier": "5s"}}',
    );
    const run = await ricochet(['config', 'check', 'delay', '--json'], { RICOCHET_CONFIG: config });
    expect(run.exitCode, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.kafka.brokers).to.deep.equal(['json:9092']);
    expect(printed.delay.tiers).to.deep.equal([
      { topic: 'retry-5s', group: 'ricochet-delay-retry-5s' },
    ]);
  });

  describe('exits 2 with a message naming the field', () => {
    const typo = writeConfig('typo.yaml', 'brokers: k:1\nhttp:\n  prot: 9000\n');
    const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
      [
        'a bad flag value',
        ['dlq', '--brokers', 'k:1', '--http-port', 'abc'],
        {},
        /^error: --http-port: "abc" is not a whole number/,
      ],
      [
        'a bad environment value',
        ['dlq', '--brokers', 'k:1'],
        { RICOCHET_SHUTDOWN_TIMEOUT_MS: '0' },
        /^error: RICOCHET_SHUTDOWN_TIMEOUT_MS: .*got 0/,
      ],
      ['no brokers', ['delay', '--tier', '5s'], {}, /^error: --brokers: no brokers given/],
      [
        'a tier named twice',
        ['delay', '--brokers', 'k:1', '--tier', '5s', '--tier', 'retry-5s'],
        {},
        /^error: --tier\[1\]: retry-5s is named twice/,
      ],
      [
        'a tier outside the ladder given',
        ['delay', '--brokers', 'k:1', '--tier', '7s', '--tiers', '5s,1m'],
        {},
        /^error: --tier: retry-7s is not a tier of the ladder 5s,1m \(--tiers\)/,
      ],
      [
        '--tier with --all-tiers',
        ['delay', '--brokers', 'k:1', '--all-tiers'],
        { RICOCHET_TIER: '5s' },
        /^error: --all-tiers: serves every tier of the ladder; it cannot be given with RICOCHET_TIER/,
      ],
      [
        'a misspelt key in the config file',
        ['dlq', '--config', typo],
        {},
        /^error: .*typo.yaml: http.prot: unknown key; did you mean http.port\?/,
      ],
      [
        'a config file that is not there',
        ['dlq', '--config', join(folder, 'absent.yaml')],
        {},
        /^error: --config: cannot read .*absent.yaml/,
      ],
      [
        'a config file named by the environment that is not there',
        ['dlq'],
        { RICOCHET_CONFIG: join(folder, 'absent.json') },
        /^error: RICOCHET_CONFIG: cannot read/,
      ],
      [
        'a handler module that does not exist',
        [
          'main',
          '--brokers',
          'k:1',
          '--topic',
          't',
          '--group',
          'g',
          '--handler',
          './no-such-handler.mjs',
        ],
        {},
        /^error: --handler: .*no-such-handler.mjs does not exist/,
      ],
      [
        'a store URL the archive cannot open',
        ['dlq', '--brokers', 'k:1'],
        { RICOCHET_STORE: 'sqlite:' },
        /^error: RICOCHET_STORE: the SQLite path is empty/,
      ],
      [
        'TLS files while TLS is off',
        ['dlq', '--brokers', 'k:1', '--tls-ca-file', 'ca.pem'],
        {},
        /^error: --tls-ca-file: names a TLS file, but TLS is off/,
      ],
      [
        'a TLS file that cannot be read',
        ['dlq', '--brokers', 'k:1', '--tls', '--tls-ca-file', join(folder, 'absent.pem')],
        {},
        /^error: --tls-ca-file: cannot read .*absent.pem/,
      ],
    ];
    for (const [problem, args, environment, message] of cases) {
      it(problem, async () => {
        const run = await ricochet(['config', 'check', ...args], environment);
        expect(run.exitCode, run.stderr).to.equal(2);
        expect(run.stderr).to.match(message);
        expect(run.stdout).to.equal('');
      });
    }

    it('a password on the command line, without repeating it', async () => {
      const run = await ricochet([
        'config',
        'check',
        'dlq',
        '--brokers',
        'k:1',
        '--sasl-password',
        'typed-secret',
      ]);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.match(
        /^error: --sasl-password: passwords are not taken from the command line/,
      );
      expect(run.stderr + run.stdout).to.not.include('typed-secret');
    });

    it('a password in a config file that does not parse, without repeating it', async () => {
      const broken = writeConfig('broken.yaml', 'sasl:\n  password: "hidden-secret\n');
      const run = await ricochet(['config', 'check', 'dlq', '--config', broken]);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.match(/broken.yaml: not valid YAML: .* at line \d+/);
      expect(run.stderr).to.not.include('hidden-secret');
    });

    it('no role', async () => {
      const run = await ricochet(['config', 'check']);
      expect(run.exitCode).to.equal(2);
      expect(run.stderr).to.include('name a role: main, delay or dlq');
    });
  });
});
