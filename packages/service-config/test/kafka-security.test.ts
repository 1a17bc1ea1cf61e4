import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { configErrorOf, pem, required, resolve } from './helpers.js';

const brokers = required.dlq;

describe('service config: TLS and SASL', () => {
  describe('TLS', () => {
    it('is off by default', () => {
      const { kafka } = resolve('dlq', { flags: brokers });
      expect(kafka.tls).to.equal(undefined);
      expect(kafka.ssl).to.equal(undefined);
    });

    it('uses the system CAs when on without files', () => {
      const { kafka } = resolve('dlq', { flags: brokers, environment: { RICOCHET_TLS: 'true' } });
      expect(kafka.ssl).to.equal(true);
      expect(kafka.tls).to.deep.equal({
        caFile: undefined,
        certFile: undefined,
        keyFile: undefined,
      });
    });

    it('builds node TLS options from the contents of the files the caller read', () => {
      const { kafka } = resolve('dlq', {
        flags: { ...brokers, tls: true, 'tls-ca-file': 'ca.pem' },
        yaml: 'tls:\n  certFile: client.pem\n  keyFile: client.key',
        tlsFiles: {
          'ca.pem': { contents: pem('CERTIFICATE') },
          'client.pem': { contents: pem('CERTIFICATE') },
          'client.key': { contents: pem('PRIVATE KEY') },
        },
      });
      expect(kafka.ssl).to.deep.equal({
        ca: pem('CERTIFICATE'),
        cert: pem('CERTIFICATE'),
        key: pem('PRIVATE KEY'),
      });
      expect(kafka.tls).to.deep.equal({
        caFile: 'ca.pem',
        certFile: 'client.pem',
        keyFile: 'client.key',
      });
    });

    it('takes a CA file alone (server authentication only)', () => {
      const { kafka } = resolve('dlq', {
        flags: { ...brokers, tls: true, 'tls-ca-file': 'ca.pem' },
        tlsFiles: { 'ca.pem': { contents: pem('CERTIFICATE') } },
      });
      expect(kafka.ssl).to.deep.equal({ ca: pem('CERTIFICATE') });
    });

    const refusals: [string, Parameters<typeof resolve>[1], string, RegExp][] = [
      [
        'a file while TLS is off',
        { flags: { ...brokers, 'tls-ca-file': 'ca.pem' } },
        '--tls-ca-file',
        /names a TLS file, but TLS is off; turn it on with --tls, RICOCHET_TLS or tls.enabled/,
      ],
      [
        'a certificate without its key',
        { flags: { ...brokers, tls: true }, environment: { RICOCHET_TLS_CERT_FILE: 'c.pem' } },
        'RICOCHET_TLS_CERT_FILE',
        /needs its key: set --tls-key-file, RICOCHET_TLS_KEY_FILE or tls.keyFile/,
      ],
      [
        'a key without its certificate',
        { flags: { ...brokers, tls: true }, yaml: 'tls: {keyFile: c.key}' },
        'config.yaml: tls.keyFile',
        /needs its certificate/,
      ],
      [
        'a file that cannot be read',
        {
          flags: { ...brokers, tls: true, 'tls-ca-file': 'gone.pem' },
          tlsFiles: { 'gone.pem': { problem: 'ENOENT: no such file or directory' } },
        },
        '--tls-ca-file',
        /cannot read gone.pem: ENOENT/,
      ],
      [
        'a file that is not PEM',
        {
          flags: { ...brokers, tls: true, 'tls-ca-file': 'ca.der' },
          tlsFiles: { 'ca.der': { contents: '0\u0082\u0003' } },
        },
        '--tls-ca-file',
        /ca.der is not a PEM file/,
      ],
      [
        'an enabled flag that is not a boolean',
        { flags: brokers, environment: { RICOCHET_TLS: 'sometimes' } },
        'RICOCHET_TLS',
        /true or false, got "sometimes"/,
      ],
    ];
    for (const [problem, input, field, message] of refusals) {
      it(`refuses ${problem}`, () => {
        const error = configErrorOf(() => resolve('dlq', input));
        expect(error.field).to.equal(field);
        expect(error.message).to.match(message);
      });
    }

    it('leaves no PEM content in an error message', () => {
      const error = configErrorOf(() =>
        resolve('dlq', {
          flags: { ...brokers, tls: true, 'tls-key-file': 'k.pem' },
          tlsFiles: { 'k.pem': { contents: 'secret key bytes' } },
        }),
      );
      expect(error.message).to.not.include('secret key bytes');
    });
  });

  describe('SASL', () => {
    it('builds the mechanism and credentials, in any case of mechanism name', () => {
      const { kafka } = resolve('dlq', {
        flags: { ...brokers, 'sasl-mechanism': 'SCRAM-SHA-512', 'sasl-username': 'svc' },
        environment: { RICOCHET_SASL_PASSWORD: ' pass word ' },
      });
      expect(kafka.sasl).to.deep.equal({
        mechanism: 'scram-sha-512',
        username: 'svc',
        password: ' pass word ',
      });
    });

    it('takes all three from the file', () => {
      const { kafka } = resolve('dlq', {
        flags: brokers,
        yaml: 'sasl:\n  mechanism: plain\n  username: u\n  password: p',
      });
      expect(kafka.sasl).to.deep.equal({ mechanism: 'plain', username: 'u', password: 'p' });
    });

    const refusals: [string, Parameters<typeof resolve>[1], string, RegExp][] = [
      [
        'a mechanism without a username',
        {
          flags: { ...brokers, 'sasl-mechanism': 'plain' },
          environment: { RICOCHET_SASL_PASSWORD: 'p' },
        },
        '--sasl-username',
        /required because --sasl-mechanism is plain/,
      ],
      [
        'a mechanism without a password',
        {
          flags: { ...brokers, 'sasl-username': 'u' },
          environment: { RICOCHET_SASL_MECHANISM: 'plain' },
        },
        'RICOCHET_SASL_PASSWORD',
        /required because RICOCHET_SASL_MECHANISM is plain; set RICOCHET_SASL_PASSWORD or sasl.password/,
      ],
      [
        'a username without a mechanism',
        { flags: { ...brokers, 'sasl-username': 'u' } },
        '--sasl-username',
        /without a mechanism; set --sasl-mechanism/,
      ],
      [
        'a password without a mechanism',
        { flags: brokers, environment: { RICOCHET_SASL_PASSWORD: 'p' } },
        'RICOCHET_SASL_PASSWORD',
        /without a mechanism/,
      ],
      [
        'a mechanism Kafka clients do not offer here',
        { flags: { ...brokers, 'sasl-mechanism': 'gssapi' } },
        '--sasl-mechanism',
        /one of plain, scram-sha-256, scram-sha-512, got "gssapi"/,
      ],
    ];
    for (const [problem, input, field, message] of refusals) {
      it(`refuses ${problem}`, () => {
        const error = configErrorOf(() => resolve('dlq', input));
        expect(error.field).to.equal(field);
        expect(error.message).to.match(message);
      });
    }
  });

  describe('the client certificate', () => {
    // A certificate (no key) valid from 2026-12-05T02:23:48Z to 2027-01-04T02:23:48Z, CN=fixture-client.
    const certificate = readFileSync(
      new URL('fixtures/client-certificate.pem', import.meta.url),
      'utf8',
    );
    const withCertificate = (now: number, contents = certificate) =>
      resolve('dlq', {
        flags: {
          ...brokers,
          tls: true,
          'tls-cert-file': 'client.pem',
          'tls-key-file': 'client.key',
        },
        tlsFiles: {
          'client.pem': { contents },
          'client.key': { contents: pem('PRIVATE KEY') },
        },
        now,
      });

    it('is taken within its validity period', () => {
      expect(withCertificate(Date.parse('2026-12-20T00:00:00Z')).kafka.ssl).to.have.property(
        'cert',
        certificate,
      );
    });

    it('is refused once expired, naming the file, the subject and the date', () => {
      const error = configErrorOf(() => withCertificate(Date.parse('2027-01-04T02:23:49Z')));
      expect(error.message).to.equal(
        '--tls-cert-file: the certificate in client.pem (CN=fixture-client) expired on 2027-01-04T02:23:48.000Z',
      );
    });

    it('is refused before it is valid', () => {
      const error = configErrorOf(() => withCertificate(Date.parse('2026-12-05T02:23:47Z')));
      expect(error.message).to.equal(
        '--tls-cert-file: the certificate in client.pem (CN=fixture-client) is not valid before 2026-12-05T02:23:48.000Z',
      );
    });

    it('that is no certificate is refused as such', () => {
      const error = configErrorOf(() => withCertificate(0, pem('CERTIFICATE')));
      expect(error.message).to.equal('--tls-cert-file: client.pem holds no readable certificate');
    });
  });
});
