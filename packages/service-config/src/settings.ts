// The settings entry only: the package's root loads the SQLite and PostgreSQL drivers.
import { defaultStatementTimeoutMs, defaultStoreUrl } from '@ricochet/archive/settings';
import { deadLetterGuardSyntax, defaultDeadLetterTopic, defaultLadderText } from '@ricochet/core';
// The roles' defaults entries only: their roots load the services themselves.
import {
  defaultMaxWaitMilliseconds,
  defaultReadAheadBytes,
  defaultReadAheadMilliseconds,
  delayGroupIdPattern,
} from '@ricochet/delay-consumer/defaults';
import {
  deadLetterFormats,
  defaultArchiverGroupId,
  defaultDeadLetterFormat,
} from '@ricochet/dlq-archiver/defaults';
import {
  defaultConnectionTimeoutMilliseconds,
  defaultPublishTimeoutMilliseconds,
  defaultRequestTimeoutMilliseconds,
  defaultSessionTimeoutMilliseconds,
} from '@ricochet/kafka';
import {
  defaultConcurrency,
  defaultFromBeginning,
  defaultHandlerTimeoutMilliseconds,
  defaultMaxHandlerCrashes,
  defaultMaxInFlight,
  defaultMaxWaitingPerKey,
  defaultOnDeadLetter,
  defaultOrdering,
  defaultRevokeGraceMilliseconds,
  defaultStallTimeoutMilliseconds,
  onDeadLetterChoices,
  orderings,
} from '@ricochet/main-consumer/defaults';
import type { ServiceRole } from './types.js';

/** How a setting looks on the command line. Secrets have no flag: argv shows in `ps`. */
export interface SettingFlag {
  /** Without the leading dashes: `http-port`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Given once per value (`--topic a --topic b`). */
  readonly repeatable?: boolean;
}

/** One row of the table in docs/operations-contract.md. */
export interface SettingDefinition {
  readonly flag: SettingFlag | undefined;
  readonly environment: string;
  readonly roles: readonly ServiceRole[];
  readonly description: string;
  /** The default as a person reads it, for --help; absent when there is none. */
  readonly defaultText?: string;
}

const allRoles: readonly ServiceRole[] = ['main', 'delay', 'dlq'];

/** The defaults of the settings a service has as a process rather than as a role. */
export const defaultLogLevel = 'info';
export const defaultHttpPort = 9_464;
export const defaultHttpHost = '0.0.0.0';
export const defaultShutdownTimeoutMs = 30_000;
/** One tier per process unless told otherwise: the layout that scales each tier apart. */
export const defaultAllTiers = false;

/** A service's Kafka client id, e.g. `ricochet-delay`. */
export function serviceClientId(role: string): string {
  return `ricochet-${role}`;
}

const text = (name: string): SettingFlag => ({ name, type: 'string' });

/** Keyed by config-file key (dotted for nested keys), in the order they are checked. */
export const settingDefinitions = {
  brokers: {
    flag: text('brokers'),
    environment: 'KAFKA_BROKERS',
    roles: allRoles,
    description: 'bootstrap brokers, host:port[,host:port...]; required',
  },
  clientId: {
    flag: text('client-id'),
    environment: 'RICOCHET_CLIENT_ID',
    roles: allRoles,
    description: 'Kafka client id',
    defaultText: serviceClientId('<role>'),
  },
  'sasl.mechanism': {
    flag: text('sasl-mechanism'),
    environment: 'RICOCHET_SASL_MECHANISM',
    roles: allRoles,
    description: 'SASL mechanism: plain, scram-sha-256 or scram-sha-512',
    defaultText: 'no SASL',
  },
  'sasl.username': {
    flag: text('sasl-username'),
    environment: 'RICOCHET_SASL_USERNAME',
    roles: allRoles,
    description: 'SASL username (the password: RICOCHET_SASL_PASSWORD or sasl.password only)',
  },
  'sasl.password': {
    flag: undefined,
    environment: 'RICOCHET_SASL_PASSWORD',
    roles: allRoles,
    description: 'SASL password',
  },
  'tls.enabled': {
    flag: { name: 'tls', type: 'boolean' },
    environment: 'RICOCHET_TLS',
    roles: allRoles,
    description: 'connect with TLS',
    defaultText: 'false',
  },
  'tls.caFile': {
    flag: text('tls-ca-file'),
    environment: 'RICOCHET_TLS_CA_FILE',
    roles: allRoles,
    description: 'PEM file of the CAs to trust',
    defaultText: 'the system CAs',
  },
  'tls.certFile': {
    flag: text('tls-cert-file'),
    environment: 'RICOCHET_TLS_CERT_FILE',
    roles: allRoles,
    description: 'PEM client certificate, with --tls-key-file',
  },
  'tls.keyFile': {
    flag: text('tls-key-file'),
    environment: 'RICOCHET_TLS_KEY_FILE',
    roles: allRoles,
    description: 'PEM client private key, with --tls-cert-file',
  },
  connectionTimeoutMs: {
    flag: text('connection-timeout-ms'),
    environment: 'RICOCHET_CONNECTION_TIMEOUT_MS',
    roles: allRoles,
    description: 'how long to wait for a broker connection',
    defaultText: String(defaultConnectionTimeoutMilliseconds),
  },
  requestTimeoutMs: {
    flag: text('request-timeout-ms'),
    environment: 'RICOCHET_REQUEST_TIMEOUT_MS',
    roles: allRoles,
    description: "how long to wait for a broker's answer",
    defaultText: String(defaultRequestTimeoutMilliseconds),
  },
  logLevel: {
    flag: text('log-level'),
    environment: 'RICOCHET_LOG_LEVEL',
    roles: allRoles,
    description: 'error, warn, info or debug',
    defaultText: defaultLogLevel,
  },
  logFormat: {
    flag: text('log-format'),
    environment: 'RICOCHET_LOG_FORMAT',
    roles: allRoles,
    description: 'json or pretty',
    defaultText: 'pretty on a terminal, else json',
  },
  'http.port': {
    flag: text('http-port'),
    environment: 'RICOCHET_HTTP_PORT',
    roles: allRoles,
    description: 'port of the health and metrics endpoints; 0 for none',
    defaultText: String(defaultHttpPort),
  },
  'http.host': {
    flag: text('http-host'),
    environment: 'RICOCHET_HTTP_HOST',
    roles: allRoles,
    description: 'address the health and metrics endpoints listen on',
    defaultText: defaultHttpHost,
  },
  shutdownTimeoutMs: {
    flag: text('shutdown-timeout-ms'),
    environment: 'RICOCHET_SHUTDOWN_TIMEOUT_MS',
    roles: allRoles,
    description: 'longest wait for a clean stop on SIGTERM before exiting anyway',
    defaultText: String(defaultShutdownTimeoutMs),
  },
  sessionTimeoutMs: {
    flag: text('session-timeout-ms'),
    environment: 'RICOCHET_SESSION_TIMEOUT_MS',
    roles: allRoles,
    description: 'group session timeout: how long a dead instance keeps its partitions',
    defaultText: String(defaultSessionTimeoutMilliseconds),
  },
  publishTimeoutMs: {
    flag: text('publish-timeout-ms'),
    environment: 'RICOCHET_PUBLISH_TIMEOUT_MS',
    roles: ['main', 'delay'],
    description:
      'how long publishes to the tiers may keep failing before the service exits 1 to be restarted',
    defaultText: String(defaultPublishTimeoutMilliseconds),
  },
  dlqTopic: {
    flag: text('dlq'),
    environment: 'RICOCHET_DLQ_TOPIC',
    roles: allRoles,
    description: 'dead-letter topic',
    defaultText: defaultDeadLetterTopic,
  },
  group: {
    flag: text('group'),
    environment: 'RICOCHET_GROUP',
    roles: allRoles,
    description:
      'consumer group (main: required; delay: of a single tier, as several tiers each keep their own)',
    defaultText: `delay: ${delayGroupIdPattern}; dlq: ${defaultArchiverGroupId}`,
  },
  'main.topics': {
    flag: { name: 'topic', type: 'string', repeatable: true },
    environment: 'RICOCHET_TOPICS',
    roles: ['main'],
    description: 'source topic; repeat or separate with commas; required',
  },
  'main.handler': {
    flag: text('handler'),
    environment: 'RICOCHET_HANDLER',
    roles: ['main'],
    description: 'module exporting the handler; required',
  },
  tiers: {
    flag: text('tiers'),
    environment: 'RICOCHET_TIERS',
    roles: ['main', 'delay'],
    description:
      'retry ladder (delay: the tiers --all-tiers serves; when given, --tier must name tiers of it)',
    defaultText: defaultLadderText,
  },
  'main.concurrency': {
    flag: text('concurrency'),
    environment: 'RICOCHET_CONCURRENCY',
    roles: ['main'],
    description:
      'partitions handled at once (fetched batches in hand); records in hand stay bounded by --max-in-flight',
    defaultText: String(defaultConcurrency),
  },
  'main.ordering': {
    flag: text('ordering'),
    environment: 'RICOCHET_ORDERING',
    roles: ['main'],
    description: `which records may run at once: ${orderings.join(', ')} (key: a key's records one at a time, in offset order; key-strict: as key, and a key's later records wait while one is in the retry tiers, needs \`ricochet topology create --group\`; partition: one record of a partition at a time; unordered: any)`,
    defaultText: defaultOrdering,
  },
  'main.onDeadLetter': {
    flag: text('on-dead-letter'),
    environment: 'RICOCHET_ON_DEAD_LETTER',
    roles: ['main'],
    description: `key-strict: what becomes of the records waiting behind a dead-lettered one: ${onDeadLetterChoices.join(', ')} (release: handled as after a success; dead-letter: dead-lettered too, predecessor-dead-lettered)`,
    defaultText: defaultOnDeadLetter,
  },
  'main.maxWaitingPerKey': {
    flag: text('max-waiting-per-key'),
    environment: 'RICOCHET_MAX_WAITING_PER_KEY',
    roles: ['main'],
    description:
      'key-strict: records that may wait behind one blocked key; past it a record is dead-lettered (waiting-cap-exceeded)',
    defaultText: String(defaultMaxWaitingPerKey),
  },
  'main.maxInFlight': {
    flag: text('max-in-flight'),
    environment: 'RICOCHET_MAX_IN_FLIGHT',
    roles: ['main'],
    description: 'records handled at once across all partitions; fetching pauses at the limit',
    defaultText: String(defaultMaxInFlight),
  },
  'main.revokeGraceMs': {
    flag: text('revoke-grace-ms'),
    environment: 'RICOCHET_REVOKE_GRACE_MS',
    roles: ['main'],
    description:
      'how long running handlers get to finish once their partition is revoked or the service stops; records still running then are not committed and are handled again by the next owner',
    defaultText: String(defaultRevokeGraceMilliseconds),
  },
  'main.fromBeginning': {
    flag: { name: 'from-beginning', type: 'boolean' },
    environment: 'RICOCHET_FROM_BEGINNING',
    roles: ['main'],
    description: 'read from the beginning when the group has no committed offset',
    defaultText: String(defaultFromBeginning),
  },
  'main.handlerTimeoutMs': {
    flag: text('handler-timeout-ms'),
    environment: 'RICOCHET_HANDLER_TIMEOUT_MS',
    roles: ['main'],
    description: 'longest handler call; a call still running then fails (retryable) and is ignored',
    defaultText: String(defaultHandlerTimeoutMilliseconds),
  },
  'main.stallTimeoutMs': {
    flag: text('stall-timeout-ms'),
    environment: 'RICOCHET_STALL_TIMEOUT_MS',
    roles: ['main'],
    description: 'not ready once records wait in hand and none has finished for this long',
    defaultText: String(defaultStallTimeoutMilliseconds),
  },
  'main.maxHandlerCrashes': {
    flag: text('max-handler-crashes'),
    environment: 'RICOCHET_MAX_HANDLER_CRASHES',
    roles: ['main'],
    description:
      'crashes of the process on one record before it is dead-lettered (handler-crashed)',
    defaultText: String(defaultMaxHandlerCrashes),
  },
  'main.deadLetterGuard': {
    flag: text('dead-letter-guard'),
    environment: 'RICOCHET_DEAD_LETTER_GUARD',
    roles: ['main'],
    description: `${deadLetterGuardSyntax}: pause consumption (and turn not ready) once at least min-records were counted within the window and this share of them or more were dead-lettered (count=failed: sent to a tier too); resumed by SIGUSR2, a restart, or after the cool-down`,
    defaultText: 'off',
  },
  'delay.tier': {
    flag: { name: 'tier', type: 'string', repeatable: true },
    environment: 'RICOCHET_TIER',
    roles: ['delay'],
    description:
      'tier topic (retry-5s) or delay (5s) to serve; repeat or separate with commas to serve several from one process, each in its own consumer group; required unless --all-tiers',
  },
  'delay.allTiers': {
    flag: { name: 'all-tiers', type: 'boolean' },
    environment: 'RICOCHET_ALL_TIERS',
    roles: ['delay'],
    description:
      'serve every tier of the ladder (--tiers) from this one process, each in its own consumer group; not with --tier',
    defaultText: String(defaultAllTiers),
  },
  'delay.maxWaitMs': {
    flag: text('max-wait-ms'),
    environment: 'RICOCHET_MAX_WAIT_MS',
    roles: ['delay'],
    description: 'longest fetch wait',
    defaultText: String(defaultMaxWaitMilliseconds),
  },
  'delay.readAheadMs': {
    flag: text('read-ahead-ms'),
    environment: 'RICOCHET_READ_AHEAD_MS',
    roles: ['delay'],
    description: 'records due within this are kept in memory and released on time',
    defaultText: String(defaultReadAheadMilliseconds),
  },
  'delay.readAheadBytes': {
    flag: text('read-ahead-bytes'),
    environment: 'RICOCHET_READ_AHEAD_BYTES',
    roles: ['delay'],
    description: 'most bytes read ahead per partition',
    defaultText: String(defaultReadAheadBytes),
  },
  'delay.allowedTopics': {
    flag: { name: 'allowed-topics', type: 'string', repeatable: true },
    environment: 'RICOCHET_ALLOWED_TOPICS',
    roles: ['delay'],
    description:
      'topics redeliveries may go to: names or globs (* = any run of characters); repeat or separate with commas; a record naming another topic is dead-lettered (topic-not-allowed)',
    defaultText: 'any topic but internal ones',
  },
  'archiver.store': {
    flag: text('store'),
    environment: 'RICOCHET_STORE',
    roles: ['dlq'],
    description: 'archive URL: sqlite:<file> or postgres://...',
    defaultText: defaultStoreUrl,
  },
  'archiver.statementTimeoutMs': {
    flag: text('statement-timeout-ms'),
    environment: 'RICOCHET_STATEMENT_TIMEOUT_MS',
    roles: ['dlq'],
    description:
      'PostgreSQL archive: longest one statement may run, lock waits included; the insert then fails and nothing is committed',
    defaultText: String(defaultStatementTimeoutMs),
  },
  'archiver.format': {
    flag: text('format'),
    environment: 'RICOCHET_DLQ_FORMAT',
    roles: ['dlq'],
    description: `whose dead-letter headers to read: ${deadLetterFormats.join(', ')} (spring: Spring Kafka's kafka_dlt-*; connect: Kafka Connect's __connect.errors.*; auto: whichever each record carries)`,
    defaultText: defaultDeadLetterFormat,
  },
  registry: {
    flag: text('registry'),
    environment: 'SCHEMA_REGISTRY_URL',
    roles: ['dlq'],
    description: 'schema registry URL, to index decoded values for --grep',
    defaultText: 'none',
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof settingDefinitions;

/** The config file is named by its own flag and variable, never by a file key. */
export const configFileSetting = {
  flag: text('config'),
  environment: 'RICOCHET_CONFIG',
  description: 'YAML or JSON file of settings; flags and environment variables override it',
} as const;

/**
 * The settings that say how to reach the cluster. Commands that only talk to Kafka (`topology`,
 * `dlq replay`) read these and nothing else.
 */
export const connectionSettingKeys = [
  'brokers',
  'clientId',
  'sasl.mechanism',
  'sasl.username',
  'sasl.password',
  'tls.enabled',
  'tls.caFile',
  'tls.certFile',
  'tls.keyFile',
  'connectionTimeoutMs',
  'requestTimeoutMs',
] as const satisfies readonly SettingKey[];

/** The settings `role` takes, in the order they are checked. */
export function settingsFor(
  role: ServiceRole,
): readonly (readonly [SettingKey, SettingDefinition])[] {
  return (Object.entries(settingDefinitions) as [SettingKey, SettingDefinition][]).filter(
    ([, definition]) => definition.roles.includes(role),
  );
}

/** Every way to give `key`, for messages about a value that is missing. */
export function spellingsOf(key: SettingKey): string {
  const definition: SettingDefinition = settingDefinitions[key];
  const ways = [
    ...(definition.flag === undefined ? [] : [`--${definition.flag.name}`]),
    definition.environment,
    `${key} in the config file`,
  ];
  return `${ways.slice(0, -1).join(', ')} or ${ways.at(-1)}`;
}

/** The one name for `key` in a message about it: its flag, or its variable when it has no flag. */
export function primarySpelling(key: SettingKey): string {
  const definition: SettingDefinition = settingDefinitions[key];
  return definition.flag === undefined ? definition.environment : `--${definition.flag.name}`;
}
