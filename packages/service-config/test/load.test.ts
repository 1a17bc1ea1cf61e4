import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServiceConfig } from '@ricochet/service-config';
import { loadConfigFile, readTlsFiles } from '@ricochet/service-config/internal';
import { configErrorOf, pem } from './helpers.js';

describe('loading service config from files (the edge)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'ricochet-service-config-'));
  const write = (name: string, text: string): string => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the file named by --config over RICOCHET_CONFIG', () => {
    const flagged = write('flagged.yaml', 'brokers: flagged:9092\n');
    const environment = write('environment.json', '{"brokers": "environment:9092"}');
    const config = loadServiceConfig('dlq', {
      flags: { config: flagged },
      environment: { RICOCHET_CONFIG: environment },
    });
    expect(config.kafka.brokers).to.deep.equal(['flagged:9092']);
    expect(config.sources.brokers).to.equal(`${flagged}: brokers`);
  });

  it('reads the file named by RICOCHET_CONFIG', () => {
    const path = write(
      'service.json',
      '{"brokers": ["a:1"], "archiver": {"store": "sqlite:x.db"}}',
    );
    const config = loadServiceConfig('dlq', { flags: {}, environment: { RICOCHET_CONFIG: path } });
    expect(config.archiver.store).to.equal('sqlite:x.db');
  });

  it('names where the path came from when the file cannot be read', () => {
    const missing = join(folder, 'missing.yaml');
    expect(configErrorOf(() => loadConfigFile(missing, '--config')).message).to.match(
      /^--config: cannot read .*missing.yaml: ENOENT/,
    );
    const error = configErrorOf(() =>
      loadServiceConfig('dlq', { flags: {}, environment: { RICOCHET_CONFIG: missing } }),
    );
    expect(error.field).to.equal('RICOCHET_CONFIG');
  });

  it('reads the TLS files it names, and reports one that cannot be read by its setting', () => {
    const ca = write('ca.pem', pem('CERTIFICATE'));
    const config = loadServiceConfig('dlq', {
      flags: { brokers: 'k:1', tls: true, 'tls-ca-file': ca },
      environment: {},
    });
    expect(config.kafka.ssl).to.deep.equal({ ca: pem('CERTIFICATE') });
    const error = configErrorOf(() =>
      loadServiceConfig('dlq', {
        flags: { brokers: 'k:1', tls: true },
        environment: { RICOCHET_TLS_CA_FILE: join(folder, 'gone.pem') },
      }),
    );
    expect(error.field).to.equal('RICOCHET_TLS_CA_FILE');
    expect(error.message).to.include('cannot read');
  });

  it('readTlsFiles never throws: a problem is a value for resolution to report', () => {
    const files = readTlsFiles([join(folder, 'gone.pem')]);
    expect([...files.values()][0])
      .to.have.property('problem')
      .that.includes('ENOENT');
  });
});
