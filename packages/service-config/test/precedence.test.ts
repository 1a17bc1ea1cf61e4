import { defaultStatementTimeoutMs } from '@ricochet/archive';
import { expect } from 'chai';
import { defaultConsumerMaxWaitMilliseconds } from '@ricochet/kafka';
import { defaultConcurrency } from '@ricochet/main-consumer/defaults';
import type { MainServiceConfig } from '@ricochet/service-config';
import { required, resolve } from './helpers.js';

describe('service config precedence: flag > environment > file > default', () => {
  const file = [
    'brokers: [file-1:9092, file-2:9092]',
    'logLevel: warn',
    'http:',
    '  port: 9001',
    'group: from-file',
    'main:',
    '  topics: [file-topic]',
    '  concurrency: 3',
  ].join('\n');

  it('takes defaults when nothing is given', () => {
    const config = resolve('dlq', { flags: { brokers: 'kafka:9092' } });
    expect(config).to.deep.include({
      logLevel: 'info',
      logFormat: 'json',
      http: { port: 9464, host: '0.0.0.0' },
      shutdownTimeoutMs: 30_000,
      sessionTimeoutMs: 30_000,
      dlqTopic: 'dlq',
      group: 'ricochet-dlq-archiver',
    });
    expect(config.kafka).to.deep.include({
      clientId: 'ricochet-dlq',
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      ssl: undefined,
      sasl: undefined,
    });
    expect(config.archiver).to.deep.equal({
      store: 'sqlite:./ricochet-dlq.db',
      statementTimeoutMs: defaultStatementTimeoutMs,
      maxWaitMs: defaultConsumerMaxWaitMilliseconds,
      format: 'auto',
      registry: undefined,
    });
    expect(config.sources['http.port']).to.equal('default');
  });

  it('takes the file over the defaults', () => {
    const config = resolve('main', {
      yaml: file,
      flags: { handler: './handler.mjs' },
    });
    expect(config.kafka.brokers).to.deep.equal(['file-1:9092', 'file-2:9092']);
    expect(config.logLevel).to.equal('warn');
    expect(config.http.port).to.equal(9001);
    expect(config.group).to.equal('from-file');
    expect(config.main.topics).to.deep.equal(['file-topic']);
    expect(config.main.concurrency).to.equal(3);
    expect(config.sources).to.include({
      brokers: 'config.yaml: brokers',
      'http.port': 'config.yaml: http.port',
      'main.handler': '--handler',
    });
  });

  it('takes the environment over the file', () => {
    const config = resolve('main', {
      yaml: file,
      flags: { handler: './handler.mjs' },
      environment: {
        KAFKA_BROKERS: 'env:9092',
        RICOCHET_LOG_LEVEL: 'debug',
        RICOCHET_HTTP_PORT: '9002',
        RICOCHET_GROUP: 'from-env',
        RICOCHET_TOPICS: 'a, b',
      },
    });
    expect(config.kafka.brokers).to.deep.equal(['env:9092']);
    expect(config.logLevel).to.equal('debug');
    expect(config.http.port).to.equal(9002);
    expect(config.group).to.equal('from-env');
    expect(config.main.topics).to.deep.equal(['a', 'b']);
    expect(config.main.concurrency, 'still from the file').to.equal(3);
    expect(config.sources['http.port']).to.equal('RICOCHET_HTTP_PORT');
  });

  it('takes flags over everything', () => {
    const config = resolve('main', {
      yaml: file,
      environment: { KAFKA_BROKERS: 'env:9092', RICOCHET_HTTP_PORT: '9002', RICOCHET_GROUP: 'env' },
      flags: {
        brokers: 'flag:9092',
        'http-port': '9003',
        group: 'from-flag',
        topic: ['x', 'y,z'],
        handler: './handler.mjs',
        'log-level': 'error',
      },
    });
    expect(config.kafka.brokers).to.deep.equal(['flag:9092']);
    expect(config.http.port).to.equal(9003);
    expect(config.group).to.equal('from-flag');
    expect(config.main.topics).to.deep.equal(['x', 'y', 'z']);
    expect(config.logLevel).to.equal('error');
    expect(config.sources).to.include({ brokers: '--brokers', 'http.port': '--http-port' });
  });

  it('treats an empty environment variable as not set', () => {
    const config = resolve('dlq', {
      yaml: 'brokers: file:9092',
      environment: { KAFKA_BROKERS: '  ', RICOCHET_HTTP_PORT: '' },
    });
    expect(config.kafka.brokers).to.deep.equal(['file:9092']);
    expect(config.http.port).to.equal(9464);
  });

  it('lets a false flag override a true environment variable', () => {
    const config = resolve('main', {
      flags: { ...required.main, 'from-beginning': false },
      environment: { RICOCHET_FROM_BEGINNING: 'true' },
    });
    expect(config.main.fromBeginning).to.equal(false);
  });

  it('keeps the last value of a flag given twice', () => {
    const config = resolve('dlq', { flags: { brokers: ['a:1', 'b:2'], 'http-port': ['1', '2'] } });
    expect(config.kafka.brokers).to.deep.equal(['b:2']);
    expect(config.http.port).to.equal(2);
  });

  it('picks the log format from the terminal unless one is given', () => {
    expect(resolve('dlq', { flags: required.dlq, isTerminal: true }).logFormat).to.equal('pretty');
    expect(resolve('dlq', { flags: required.dlq, isTerminal: false }).logFormat).to.equal('json');
    expect(
      resolve('dlq', {
        flags: required.dlq,
        isTerminal: true,
        environment: { RICOCHET_LOG_FORMAT: 'JSON' },
      }).logFormat,
    ).to.equal('json');
  });

  it('derives role defaults: client id, delay group from the canonical tier topic', () => {
    const delay = resolve('delay', { flags: { brokers: 'k:1', tier: '60s' } });
    expect(delay.delay).to.deep.equal({
      tiers: [{ topic: 'retry-1m', group: 'ricochet-delay-retry-1m' }],
      maxWaitMs: 50,
      readAheadMs: 2_000,
      readAheadBytes: 33_554_432,
      allowedTopics: undefined,
    });
    expect(delay.kafka.clientId).to.equal('ricochet-delay');
    const main = resolve('main', { flags: { ...required.main, tiers: '5000ms, 60s' } });
    expect(main.main).to.deep.include({
      tiers: '5s,1m',
      concurrency: defaultConcurrency,
      fromBeginning: false,
    });
    expect(main.kafka.clientId).to.equal('ricochet-main');
  });

  it('reads the settings of its own role only, so one file can serve every service', () => {
    const yaml =
      'brokers: k:1\nmain: {topics: [orders], handler: h.mjs}\ndelay: {tier: 1m}\nregistry: http://r:8081';
    const delay = resolve('delay', { yaml });
    expect(delay.delay.tiers.map((tier) => tier.topic)).to.deep.equal(['retry-1m']);
    expect(delay.sources).to.not.have.property('main.topics');
    expect(resolve('dlq', { yaml }).archiver.registry).to.equal('http://r:8081');
  });

  it('reads ordering, max in flight, max bytes per partition and revoke grace: flag over environment over file', () => {
    const yaml =
      'main: {ordering: unordered, maxInFlight: 10, maxBytesPerPartition: 100000, revokeGraceMs: 1000}';
    const environment = {
      RICOCHET_ORDERING: 'partition',
      RICOCHET_MAX_IN_FLIGHT: '20',
      RICOCHET_MAX_BYTES_PER_PARTITION: '200000',
      RICOCHET_REVOKE_GRACE_MS: '2000',
    };
    const flags = {
      ...required.main,
      ordering: 'KEY',
      'max-in-flight': '30',
      'max-bytes-per-partition': '300000',
      'revoke-grace-ms': '3000',
    };
    const pick = (config: MainServiceConfig) => ({
      ordering: config.main.ordering,
      maxInFlight: config.main.maxInFlight,
      maxBytesPerPartition: config.main.maxBytesPerPartition,
      revokeGraceMs: config.main.revokeGraceMs,
    });
    expect(pick(resolve('main', { flags: required.main }))).to.deep.equal({
      ordering: 'key',
      maxInFlight: 64,
      maxBytesPerPartition: 1_048_576,
      revokeGraceMs: undefined,
    });
    expect(pick(resolve('main', { flags: required.main, yaml }))).to.deep.equal({
      ordering: 'unordered',
      maxInFlight: 10,
      maxBytesPerPartition: 100_000,
      revokeGraceMs: 1000,
    });
    expect(pick(resolve('main', { flags: required.main, yaml, environment }))).to.deep.equal({
      ordering: 'partition',
      maxInFlight: 20,
      maxBytesPerPartition: 200_000,
      revokeGraceMs: 2000,
    });
    const fromFlags = resolve('main', { flags, yaml, environment });
    expect(pick(fromFlags)).to.deep.equal({
      ordering: 'key',
      maxInFlight: 30,
      maxBytesPerPartition: 300_000,
      revokeGraceMs: 3000,
    });
    expect(fromFlags.sources).to.include({
      'main.ordering': '--ordering',
      'main.maxInFlight': '--max-in-flight',
      'main.maxBytesPerPartition': '--max-bytes-per-partition',
      'main.revokeGraceMs': '--revoke-grace-ms',
    });
  });
});
