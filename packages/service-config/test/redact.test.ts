import { expect } from 'chai';
import { redactConfig } from '@ricochet/service-config';
import { pem, required, resolve } from './helpers.js';

describe('redactConfig', () => {
  const config = resolve('dlq', {
    flags: {
      ...required.dlq,
      'sasl-mechanism': 'scram-sha-256',
      'sasl-username': 'svc',
      tls: true,
      'tls-ca-file': 'ca.pem',
      'tls-cert-file': 'client.pem',
      'tls-key-file': 'client.key',
      store: 'postgres://archiver:db-secret@db:5432/ricochet',
      registry: 'https://reader:registry-secret@registry:8081',
    },
    environment: { RICOCHET_SASL_PASSWORD: 'sasl-secret' },
    tlsFiles: {
      'ca.pem': { contents: pem('CERTIFICATE') },
      'client.pem': { contents: pem('CERTIFICATE') },
      'client.key': { contents: pem('PRIVATE KEY') },
    },
  });
  const shown = redactConfig(config);
  const printed = JSON.stringify(shown);

  it('masks the SASL password and keeps the rest of SASL', () => {
    expect(shown.kafka.sasl).to.deep.equal({
      mechanism: 'scram-sha-256',
      username: 'svc',
      password: '***',
    });
  });

  it('masks the TLS key and shows certificates by file, not as PEM', () => {
    expect(shown.kafka.ssl).to.deep.equal({
      ca: '(PEM from ca.pem)',
      cert: '(PEM from client.pem)',
      key: '***',
    });
    expect(shown.kafka.tls).to.deep.equal(config.kafka.tls);
  });

  it('masks passwords inside the store and registry URLs', () => {
    expect(shown.archiver.store).to.equal('postgres://archiver:***@db:5432/ricochet');
    expect(shown.archiver.registry).to.equal('https://reader:***@registry:8081/');
  });

  it('leaves no secret anywhere in what it returns', () => {
    for (const secret of ['sasl-secret', 'db-secret', 'registry-secret', 'PRIVATE KEY']) {
      expect(printed).to.not.include(secret);
    }
  });

  it('leaves the config itself untouched', () => {
    expect(config.kafka.sasl?.password).to.equal('sasl-secret');
    expect(config.archiver.store).to.include('db-secret');
  });

  it('keeps everything that is not secret, and where each value came from', () => {
    expect(shown.http).to.deep.equal(config.http);
    expect(shown.sources).to.deep.equal(config.sources);
    expect(shown.sources['sasl.password']).to.equal('RICOCHET_SASL_PASSWORD');
  });

  it('prints a config without secrets as it is', () => {
    const plain = resolve('main', { flags: required.main });
    expect(redactConfig(plain)).to.deep.equal(plain);
  });
});
