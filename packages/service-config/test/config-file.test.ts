import { expect } from 'chai';
import { parseConfigText } from '@ricochet/service-config/internal';
import { configErrorOf, required, resolve } from './helpers.js';

describe('service config files', () => {
  it('reads YAML and JSON alike, by extension', () => {
    const yaml = parseConfigText(
      'brokers: k:1\nhttp:\n  port: 9000\ntls:\n  enabled: yes\n',
      'a.yml',
    );
    const json = parseConfigText(
      '{"brokers": "k:1", "http": {"port": 9000}, "tls": {"enabled": "yes"}}',
      'a.json',
    );
    expect(yaml.content).to.deep.equal(json.content);
    expect(yaml.name).to.equal('a.yml');
  });

  it('takes an empty file as no settings', () => {
    expect(resolve('dlq', { flags: required.dlq, yaml: '# nothing yet\n' }).http.port).to.equal(
      9464,
    );
  });

  it('refuses other extensions, naming the file', () => {
    const error = configErrorOf(() => parseConfigText('brokers: k:1', 'settings.toml'));
    expect(error.field).to.equal('settings.toml');
    expect(error.message).to.include('.yaml, .yml or .json');
  });

  it('reports a YAML syntax error with its position', () => {
    const error = configErrorOf(() => parseConfigText('http:\n  port: "9000\n', 'c.yaml'));
    expect(error.field).to.equal('c.yaml');
    expect(error.message).to.match(/not valid YAML: a closing quote .* at line \d+, column \d+/);
  });

  it('refuses a key given twice rather than keeping one of them', () => {
    const error = configErrorOf(() => parseConfigText('brokers: a:1\nbrokers: b:2\n', 'c.yaml'));
    expect(error.message).to.match(/a key appears twice at line 2/);
  });

  it('refuses YAML-only words in a JSON file', () => {
    const error = configErrorOf(() => parseConfigText('{"tls": {"enabled": yes}}', 'c.json'));
    expect(error.message).to.match(/not valid JSON: .* at line 1/);
  });

  it('refuses an alias without its anchor', () => {
    const error = configErrorOf(() => parseConfigText('brokers: *nowhere\n', 'c.yaml'));
    expect(error.message).to.match(/not valid YAML/);
  });

  describe('keys', () => {
    const cases: [string, string, string, RegExp][] = [
      [
        'a misspelt top-level key',
        'brokres: k:1',
        'config.yaml: brokres',
        /unknown key; did you mean brokers\?/,
      ],
      [
        'a misspelt nested key',
        'http:\n  prot: 1',
        'config.yaml: http.prot',
        /did you mean http.port\?/,
      ],
      [
        'a key in the wrong case',
        'clientid: x',
        'config.yaml: clientid',
        /did you mean clientId\?/,
      ],
      [
        'a key far from any',
        'colour: blue',
        'config.yaml: colour',
        /unknown key; see the settings/,
      ],
      [
        'an unknown nested key',
        'archiver:\n  bucket: x',
        'config.yaml: archiver.bucket',
        /archiver takes store/,
      ],
      [
        'a value where a section belongs',
        'http: 9000',
        'config.yaml: http',
        /must be a section with port, host/,
      ],
      ['a flag name as a key', 'http-port: 9000', 'config.yaml: http-port', /unknown key/],
      // The delay consumer's options were once spelt so; a file written from them is told the key.
      [
        'an old library name for a key',
        'delay:\n  maxReadAheadBytes: 4096',
        'config.yaml: delay.maxReadAheadBytes',
        /unknown key; did you mean delay.readAheadBytes\?/,
      ],
      [
        "a library option's spelling of a key",
        'delay:\n  maxWaitMilliseconds: 10',
        'config.yaml: delay.maxWaitMilliseconds',
        /unknown key; delay takes tier, allTiers, maxWaitMs/,
      ],
    ];
    for (const [problem, yaml, field, message] of cases) {
      it(`refuses ${problem}`, () => {
        const error = configErrorOf(() => resolve('dlq', { flags: required.dlq, yaml }));
        expect(error.field).to.equal(field);
        expect(error.message).to.match(message);
      });
    }

    it('refuses a file that is a list, not a mapping', () => {
      const error = configErrorOf(() => resolve('dlq', { flags: required.dlq, yaml: '- k:1' }));
      expect(error.field).to.equal('config.yaml');
      expect(error.message).to.include('got a list');
    });

    it('accepts every key of the contract', () => {
      const yaml = [
        'brokers: [k:1]',
        'clientId: c',
        'sasl: {mechanism: plain, username: u, password: p}',
        'tls: {enabled: false}',
        'connectionTimeoutMs: 1',
        'requestTimeoutMs: 1',
        'logLevel: info',
        'logFormat: json',
        'http: {port: 0, host: 127.0.0.1}',
        'shutdownTimeoutMs: 1',
        'sessionTimeoutMs: 6000',
        'dlqTopic: dead',
        'group: g',
        'tiers: 5s',
        'registry: http://r',
        'main: {topics: [t], handler: h.mjs, concurrency: 2, ordering: key-strict, redelivery: source, onDeadLetter: dead-letter, maxWaitingPerKey: 3, maxInFlight: 8, maxWaitMs: 11, maxBytesPerPartition: 262144, revokeGraceMs: 9, fromBeginning: true, handlerTimeoutMs: 5, stallTimeoutMs: 6, maxHandlerCrashes: 7, deadLetterGuard: "0.5,1m,100,cooldown=10m"}',
        'delay: {tier: 5s, allTiers: false, maxWaitMs: 10, readAheadMs: 500, readAheadBytes: 4096, allowedTopics: [t, "t.*"]}',
        'archiver: {store: "sqlite::memory:", statementTimeoutMs: 5000, maxWaitMs: 12, format: spring}',
      ].join('\n');
      expect(resolve('main', { yaml }).main).to.deep.equal({
        topics: ['t'],
        handler: 'h.mjs',
        tiers: '5s',
        concurrency: 2,
        ordering: 'key-strict',
        redelivery: 'source',
        onDeadLetter: 'dead-letter',
        maxWaitingPerKey: 3,
        maxInFlight: 8,
        maxWaitMs: 11,
        maxBytesPerPartition: 262144,
        revokeGraceMs: 9,
        fromBeginning: true,
        handlerTimeoutMs: 5,
        stallTimeoutMs: 6,
        maxHandlerCrashes: 7,
        deadLetterGuard: {
          ratio: 0.5,
          windowMilliseconds: 60_000,
          minRecords: 100,
          cooldownMilliseconds: 600_000,
          count: 'dead-lettered',
        },
      });
      expect(resolve('delay', { yaml }).delay).to.deep.equal({
        tiers: [{ topic: 'retry-5s', group: 'g' }],
        maxWaitMs: 10,
        readAheadMs: 500,
        readAheadBytes: 4096,
        allowedTopics: ['t', 't.*'],
      });
      expect(resolve('dlq', { yaml }).archiver).to.deep.equal({
        store: 'sqlite::memory:',
        statementTimeoutMs: 5_000,
        maxWaitMs: 12,
        format: 'spring',
        registry: 'http://r',
      });
    });
  });
});
