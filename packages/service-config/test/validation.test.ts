import { expect } from 'chai';
import type { ServiceRole } from '@ricochet/service-config';
import { configErrorOf, required, resolve, type TestInput } from './helpers.js';

/** [what is wrong, role, input, the field as the user spelled it, the message]. */
type Case = [string, ServiceRole, TestInput, string, RegExp];

const main = required.main;

const cases: Case[] = [
  [
    'no brokers anywhere',
    'dlq',
    {},
    '--brokers',
    /no brokers given; set --brokers, KAFKA_BROKERS or brokers in the config file/,
  ],
  [
    'a broker without a port',
    'dlq',
    { environment: { KAFKA_BROKERS: 'kafka' } },
    'KAFKA_BROKERS',
    /"kafka" is not host:port/,
  ],
  [
    'a broker list in the file with a bad entry',
    'dlq',
    { yaml: 'brokers: [a:1, "b c:2"]' },
    'config.yaml: brokers',
    /"b c:2" is not host:port/,
  ],
  [
    'an HTTP port that is not a number',
    'dlq',
    { flags: { ...required.dlq, 'http-port': 'abc' } },
    '--http-port',
    /"abc" is not a whole number/,
  ],
  [
    'an HTTP port out of range',
    'dlq',
    { flags: required.dlq, environment: { RICOCHET_HTTP_PORT: '70000' } },
    'RICOCHET_HTTP_PORT',
    /from 0 to 65535, got 70000/,
  ],
  [
    'an HTTP port in the file as a fraction',
    'dlq',
    { flags: required.dlq, yaml: 'http:\n  port: 80.5' },
    'config.yaml: http.port',
    /80\.5 is not a whole number/,
  ],
  [
    'an HTTP host with a space',
    'dlq',
    { flags: { ...required.dlq, 'http-host': 'local host' } },
    '--http-host',
    /"local host" is not a host name/,
  ],
  [
    'a negative shutdown timeout',
    'dlq',
    { flags: { ...required.dlq, 'shutdown-timeout-ms': '-5' } },
    '--shutdown-timeout-ms',
    /from 1 to 2147483647, got -5/,
  ],
  [
    'a session timeout beyond what timers take',
    'dlq',
    { flags: required.dlq, environment: { RICOCHET_SESSION_TIMEOUT_MS: '9999999999' } },
    'RICOCHET_SESSION_TIMEOUT_MS',
    /got 9999999999/,
  ],
  [
    'a zero connection timeout',
    'dlq',
    { flags: required.dlq, yaml: 'connectionTimeoutMs: 0' },
    'config.yaml: connectionTimeoutMs',
    /from 1 to .*, got 0/,
  ],
  [
    'a request timeout that is text in the file',
    'dlq',
    { flags: required.dlq, yaml: 'requestTimeoutMs: soon' },
    'config.yaml: requestTimeoutMs',
    /"soon" is not a whole number/,
  ],
  [
    'an unknown log level',
    'dlq',
    { flags: { ...required.dlq, 'log-level': 'verbose' } },
    '--log-level',
    /one of error, warn, info, debug, got "verbose"/,
  ],
  [
    'an unknown log format',
    'dlq',
    { flags: required.dlq, environment: { RICOCHET_LOG_FORMAT: 'xml' } },
    'RICOCHET_LOG_FORMAT',
    /one of json, pretty, got "xml"/,
  ],
  [
    'an empty client id flag',
    'dlq',
    { flags: { ...required.dlq, 'client-id': ' ' } },
    '--client-id',
    /must not be empty/,
  ],
  [
    'a client id that is a list in the file',
    'dlq',
    { flags: required.dlq, yaml: 'clientId: [a, b]' },
    'config.yaml: clientId',
    /must be text, got \["a","b"\]/,
  ],
  [
    'a dead-letter topic Kafka would refuse',
    'dlq',
    { flags: { ...required.dlq, dlq: 'dead letters' } },
    '--dlq',
    /"dead letters" is not a valid topic name/,
  ],
  [
    'a boolean that is neither',
    'main',
    { flags: main, environment: { RICOCHET_FROM_BEGINNING: 'maybe' } },
    'RICOCHET_FROM_BEGINNING',
    /true or false, got "maybe"/,
  ],
  [
    'main without topics',
    'main',
    { flags: { ...main, topic: undefined } },
    '--topic',
    /required; set --topic, RICOCHET_TOPICS or main.topics/,
  ],
  [
    'main without a group',
    'main',
    { flags: { ...main, group: undefined } },
    '--group',
    /required for main/,
  ],
  [
    'main without a handler',
    'main',
    { flags: { ...main, handler: undefined } },
    '--handler',
    /required/,
  ],
  [
    'a source topic that is a tier topic',
    'main',
    { flags: { ...main, topic: ['orders', 'retry-5s'] } },
    '--topic',
    /"retry-5s" is a retry tier or the dead-letter topic/,
  ],
  [
    'a source topic Kafka would refuse',
    'main',
    { flags: { ...main, topic: undefined }, environment: { RICOCHET_TOPICS: 'ok,not ok' } },
    'RICOCHET_TOPICS',
    /"not ok" is not a valid topic name/,
  ],
  [
    'a bad source topic in the file',
    'main',
    { flags: { ...main, topic: undefined }, yaml: 'main:\n  topics: [a/b]' },
    'config.yaml: main.topics',
    /"a\/b" is not a valid topic name/,
  ],
  [
    'a ladder that is not increasing',
    'main',
    { flags: { ...main, tiers: '1m,5s' } },
    '--tiers',
    /"1m,5s" is not strictly increasing/,
  ],
  [
    'a ladder entry that is not a duration',
    'main',
    { flags: main, environment: { RICOCHET_TIERS: '5s,5x' } },
    'RICOCHET_TIERS[1]',
    /"5x" is not a duration/,
  ],
  [
    'a concurrency of zero',
    'main',
    { flags: { ...main, concurrency: '0' } },
    '--concurrency',
    /got 0/,
  ],
  [
    'an ordering that is not one of the modes',
    'main',
    { flags: { ...main, ordering: 'offset' } },
    '--ordering',
    /must be one of key, key-strict, partition, unordered, got "offset"/,
  ],
  [
    'an ordering in the environment that is not one of the modes',
    'main',
    { flags: main, environment: { RICOCHET_ORDERING: 'keys' } },
    'RICOCHET_ORDERING',
    /must be one of key, key-strict, partition, unordered, got "keys"/,
  ],
  [
    'a redelivery that is not one of the choices',
    'main',
    { flags: { ...main, redelivery: 'tier' } },
    '--redelivery',
    /must be one of source, group, got "tier"/,
  ],
  [
    'redelivery group with ordering key-strict',
    'main',
    { flags: main, environment: { RICOCHET_REDELIVERY: 'group', RICOCHET_ORDERING: 'key-strict' } },
    'RICOCHET_REDELIVERY',
    /group does not work with ordering key-strict \(RICOCHET_ORDERING\)/,
  ],
  [
    'an on-dead-letter that is not one of the choices',
    'main',
    { flags: { ...main, 'on-dead-letter': 'drop' } },
    '--on-dead-letter',
    /must be one of release, dead-letter, got "drop"/,
  ],
  [
    'a max waiting per key of zero',
    'main',
    { flags: { ...main, 'max-waiting-per-key': '0' } },
    '--max-waiting-per-key',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a max waiting per key in the environment that is not a number',
    'main',
    { flags: main, environment: { RICOCHET_MAX_WAITING_PER_KEY: 'many' } },
    'RICOCHET_MAX_WAITING_PER_KEY',
    /many/,
  ],
  [
    'a max in flight of zero',
    'main',
    { flags: { ...main, 'max-in-flight': '0' } },
    '--max-in-flight',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a max bytes per partition of zero',
    'main',
    { flags: { ...main, 'max-bytes-per-partition': '0' } },
    '--max-bytes-per-partition',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a max in flight in the file that is not a number',
    'main',
    { flags: main, yaml: 'main:\n  maxInFlight: many' },
    'config.yaml: main.maxInFlight',
    /"many" is not a whole number/,
  ],
  [
    'a revoke grace of no time',
    'main',
    { flags: main, environment: { RICOCHET_REVOKE_GRACE_MS: '0' } },
    'RICOCHET_REVOKE_GRACE_MS',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a revoke grace that is not whole milliseconds',
    'main',
    { flags: { ...main, 'revoke-grace-ms': '10s' } },
    '--revoke-grace-ms',
    /"10s" is not a whole number/,
  ],
  [
    'delay without a tier',
    'delay',
    { flags: { brokers: 'k:1' } },
    '--tier',
    /required for delay unless --all-tiers; set --tier, RICOCHET_TIER or delay.tier/,
  ],
  [
    'a tier that is not canonical',
    'delay',
    { flags: { brokers: 'k:1', tier: 'retry-60s' } },
    '--tier',
    /"retry-60s" is not a tier topic name; the tier for that delay is retry-1m/,
  ],
  [
    'a tier that is not a duration',
    'delay',
    { flags: { brokers: 'k:1' }, yaml: 'delay: {tier: soon}' },
    'config.yaml: delay.tier',
    /"soon" is not a duration/,
  ],
  [
    'a max wait that is not a number',
    'delay',
    { flags: { ...required.delay, 'max-wait-ms': '5s' } },
    '--max-wait-ms',
    /"5s" is not a whole number/,
  ],
  [
    'a read-ahead of no time',
    'delay',
    { flags: { ...required.delay, 'read-ahead-ms': '0' } },
    '--read-ahead-ms',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a publish timeout of no time',
    'delay',
    { environment: { RICOCHET_PUBLISH_TIMEOUT_MS: '0' }, flags: required.delay },
    'RICOCHET_PUBLISH_TIMEOUT_MS',
    /must be a whole number from 1 to 2147483647, got 0/,
  ],
  [
    'a read-ahead size that is not a number',
    'delay',
    { environment: { RICOCHET_READ_AHEAD_BYTES: '1MiB' }, flags: required.delay },
    'RICOCHET_READ_AHEAD_BYTES',
    /"1MiB" is not a whole number/,
  ],
  [
    'a store URL of another kind',
    'dlq',
    { flags: { ...required.dlq, store: 'mysql://db' } },
    '--store',
    /expected sqlite:<path> or postgres:.*got "mysql:\/\/db"/,
  ],
  [
    'a dead-letter format the archiver cannot read',
    'dlq',
    { flags: { ...required.dlq, format: 'kafka-streams' } },
    '--format',
    /must be one of ricochet, spring, connect, auto, got "kafka-streams"/,
  ],
  [
    'a dead-letter guard without min-records',
    'main',
    { flags: { ...main, 'dead-letter-guard': '0.5,1m' } },
    '--dead-letter-guard',
    /"0.5,1m" must be ratio,window,min-records/,
  ],
  [
    'a dead-letter guard with a window that is no duration',
    'main',
    { environment: { RICOCHET_DEAD_LETTER_GUARD: '0.5,a minute,10' }, flags: main },
    'RICOCHET_DEAD_LETTER_GUARD',
    /window: "a minute" is not a duration/,
  ],
  [
    'a dead-letter guard ratio above 1 in the file',
    'main',
    { yaml: 'main: {deadLetterGuard: "2,1m,10"}', flags: main },
    'config.yaml: main.deadLetterGuard',
    /ratio must be a number above 0 and at most 1, got 2/,
  ],
  [
    'a registry URL that is not http',
    'dlq',
    { flags: required.dlq, environment: { SCHEMA_REGISTRY_URL: 'registry:8081' } },
    'SCHEMA_REGISTRY_URL',
    /http:\/\/ or https:\/\/ URL, got "registry:8081"/,
  ],
];

describe('service config validation names the field as spelled and shows the bad value', () => {
  for (const [problem, role, input, field, message] of cases) {
    it(problem, () => {
      const error = configErrorOf(() => resolve(role, input));
      expect(error.field).to.equal(field);
      expect(error.message).to.match(message);
      expect(error.message.startsWith(`${field}: `)).to.equal(true);
    });
  }

  it('checks once, before anything runs: the first bad setting in the contract order wins', () => {
    const error = configErrorOf(() =>
      resolve('dlq', { flags: { brokers: 'k:1', 'http-port': 'x', 'log-level': 'loud' } }),
    );
    expect(error.field).to.equal('--log-level');
  });

  it('uses the same default store as @ricochet/archive', async () => {
    const { defaultStoreUrl } = await import('@ricochet/archive');
    expect(resolve('dlq', { flags: required.dlq }).archiver.store).to.equal(defaultStoreUrl);
  });
});
