import { expect } from 'chai';
import { type ConnectionDefaults } from '@ricochet/service-config';
import {
  redactConnection,
  resolveConnectionConfig,
  resolveOptionalConnectionConfig,
} from '@ricochet/service-config/internal';
import { configErrorOf, inputOf, pem, type TestInput } from './helpers.js';

const commandDefaults: ConnectionDefaults = {
  clientId: 'ricochet-cli',
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 5_000,
};
const password = 'hunter2-do-not-print';

function resolveConnection(input: TestInput, defaults = commandDefaults) {
  return resolveConnectionConfig(inputOf(input), defaults);
}

describe('connection config (commands that only talk to Kafka)', () => {
  it("keeps the command's defaults for what is not set", () => {
    const { kafka, sources } = resolveConnection({ flags: { brokers: 'kafka:9092' } });
    expect(kafka).to.deep.include({
      brokers: ['kafka:9092'],
      clientId: 'ricochet-cli',
      connectionTimeoutMs: 2_000,
      requestTimeoutMs: 5_000,
      sasl: undefined,
      ssl: undefined,
    });
    expect(sources).to.deep.include({ brokers: '--brokers', connectionTimeoutMs: 'default' });
  });

  it('is optional to a command that can do without Kafka: none without brokers, checked with them', () => {
    const optional = (input: TestInput) =>
      resolveOptionalConnectionConfig(inputOf(input), commandDefaults);
    expect(optional({ environment: {} })).to.equal(undefined);
    expect(optional({ yaml: 'brokers: file:9092' })?.kafka.brokers).to.deep.equal(['file:9092']);
    expect(optional({ environment: { KAFKA_BROKERS: 'env:9092' } })?.kafka.clientId).to.equal(
      'ricochet-cli',
    );
    expect(
      configErrorOf(() =>
        optional({ flags: { brokers: 'kafka:9092', 'connection-timeout-ms': 'soon' } }),
      ).field,
    ).to.equal('--connection-timeout-ms');
  });

  it("falls back to the table's timeouts when the command names none", () => {
    const { kafka } = resolveConnection(
      { flags: { brokers: 'kafka:9092' } },
      { clientId: 'ricochet-cli-replay' },
    );
    expect(kafka.connectionTimeoutMs).to.equal(3_000);
    expect(kafka.requestTimeoutMs).to.equal(30_000);
  });

  it('takes flags over environment over file, as the services do', () => {
    const { kafka, sources } = resolveConnection({
      flags: { 'connection-timeout-ms': '7000' },
      environment: { KAFKA_BROKERS: 'env:9092', RICOCHET_CONNECTION_TIMEOUT_MS: '8000' },
      yaml: 'brokers: file:9092\nclientId: from-file\nconnectionTimeoutMs: 9000\nrequestTimeoutMs: 9000',
    });
    expect(kafka.brokers).to.deep.equal(['env:9092']);
    expect(kafka.clientId).to.equal('from-file');
    expect(kafka.connectionTimeoutMs).to.equal(7_000);
    expect(kafka.requestTimeoutMs).to.equal(9_000);
    expect(sources).to.deep.include({
      brokers: 'KAFKA_BROKERS',
      clientId: 'config.yaml: clientId',
      connectionTimeoutMs: '--connection-timeout-ms',
    });
  });

  it("accepts a file written for the services, every role's sections included", () => {
    const { kafka } = resolveConnection({
      yaml: [
        'brokers: kafka:9092',
        'logLevel: debug',
        'http: {port: 9500}',
        'group: billing',
        'main: {topics: [orders], handler: ./handler.mjs}',
        'delay: {tier: 5s}',
        'archiver: {store: "sqlite:./dlq.db"}',
      ].join('\n'),
    });
    expect(kafka.brokers).to.deep.equal(['kafka:9092']);
  });

  it('still refuses a misspelt key in the file', () => {
    const error = configErrorOf(() => resolveConnection({ yaml: 'brokers: k:9092\nclientid: x' }));
    expect(error.field).to.equal('config.yaml: clientid');
    expect(error.message).to.match(/did you mean clientId/);
  });

  it('reads no other setting, so a bad one elsewhere is not its concern', () => {
    const { kafka } = resolveConnection({
      flags: { brokers: 'kafka:9092' },
      environment: { RICOCHET_HTTP_PORT: 'x', RICOCHET_LOG_LEVEL: 'loud' },
    });
    expect(kafka.brokers).to.deep.equal(['kafka:9092']);
  });

  const refusals: [string, TestInput, string, RegExp][] = [
    ['no brokers', {}, '--brokers', /no brokers given; set --brokers, KAFKA_BROKERS or brokers/],
    [
      'an unknown SASL mechanism',
      { flags: { brokers: 'k:9092', 'sasl-mechanism': 'gssapi' } },
      '--sasl-mechanism',
      /one of plain, scram-sha-256, scram-sha-512, got "gssapi"/,
    ],
    [
      'a SASL mechanism without a password',
      { flags: { brokers: 'k:9092', 'sasl-mechanism': 'plain', 'sasl-username': 'u' } },
      'RICOCHET_SASL_PASSWORD',
      /required because --sasl-mechanism is plain/,
    ],
    [
      'the password as a flag',
      { flags: { brokers: 'k:9092', 'sasl-password': password } },
      '--sasl-password',
      /set RICOCHET_SASL_PASSWORD or sasl.password/,
    ],
    [
      'a TLS file while TLS is off',
      { flags: { brokers: 'k:9092' }, environment: { RICOCHET_TLS_CA_FILE: 'ca.pem' } },
      'RICOCHET_TLS_CA_FILE',
      /names a TLS file, but TLS is off/,
    ],
    [
      'a timeout that is not a number',
      { flags: { brokers: 'k:9092' }, yaml: 'requestTimeoutMs: soon' },
      'config.yaml: requestTimeoutMs',
      /soon/,
    ],
  ];
  for (const [problem, input, field, message] of refusals) {
    it(`refuses ${problem}, naming the setting as given`, () => {
      const error = configErrorOf(() => resolveConnection(input));
      expect(error.field).to.equal(field);
      expect(error.message).to.match(message);
      expect(error.message).to.not.include(password);
    });
  }

  it('never repeats the password in an error', () => {
    const error = configErrorOf(() =>
      resolveConnection({
        flags: { brokers: 'k:9092', 'sasl-username': 'u' },
        environment: { RICOCHET_SASL_PASSWORD: password },
      }),
    );
    expect(error.message).to.not.include(password);
  });

  it('builds SASL and TLS from the files the caller read, and masks them for printing', () => {
    const config = resolveConnection({
      flags: { brokers: 'k:9092', tls: true, 'sasl-mechanism': 'scram-sha-256' },
      environment: { RICOCHET_SASL_USERNAME: 'svc', RICOCHET_SASL_PASSWORD: password },
      yaml: 'tls: {caFile: ca.pem, certFile: c.pem, keyFile: c.key}',
      tlsFiles: {
        'ca.pem': { contents: pem('CERTIFICATE') },
        'c.pem': { contents: pem('CERTIFICATE') },
        'c.key': { contents: pem('PRIVATE KEY') },
      },
    });
    expect(config.kafka.sasl).to.deep.equal({
      mechanism: 'scram-sha-256',
      username: 'svc',
      password,
    });
    expect(config.kafka.ssl).to.deep.include({ key: pem('PRIVATE KEY') });
    const shown = JSON.stringify(redactConnection(config));
    expect(shown).to.not.include(password);
    expect(shown).to.not.include('PRIVATE KEY');
    expect(shown).to.include('(PEM from ca.pem)');
  });
});
