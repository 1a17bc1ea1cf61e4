import { defaultDeadLetterTopic } from '@ricochet/core';
// The roles' defaults entries only: their roots load the services themselves.
import { delayGroupIdPattern } from '@ricochet/delay-consumer/defaults';
import { defaultArchiverGroupId } from '@ricochet/dlq-archiver/defaults';
import {
  defaultConnectionTimeoutMilliseconds,
  defaultKafkaDriver,
  defaultPublishTimeoutMilliseconds,
  kafkaDrivers,
  defaultRequestTimeoutMilliseconds,
  defaultSessionTimeoutMilliseconds,
} from '@ricochet/kafka';
import { roleSettingDefinitions } from './role-setting-definitions.js';
import { textFlag, type SettingDefinition } from './setting-definition.js';
import type { ServiceRole } from './types.js';

export type { SettingDefinition, SettingFlag } from './setting-definition.js';

const allRoles: readonly ServiceRole[] = ['main', 'delay', 'dlq'];

/** The defaults of the settings a service has as a process rather than as a role. */
export const defaultLogLevel = 'info';
export const defaultHttpPort = 9_464;
export const defaultHttpHost = '0.0.0.0';
export const defaultShutdownTimeoutMs = 30_000;

/** A service's Kafka client id, e.g. `ricochet-delay`. */
export function serviceClientId(role: string): string {
  return `ricochet-${role}`;
}

/** Keyed by config-file key (dotted for nested keys), in the order they are checked. */
export const settingDefinitions = {
  brokers: {
    flag: textFlag('brokers'),
    environment: 'KAFKA_BROKERS',
    roles: allRoles,
    description: 'bootstrap brokers, host:port[,host:port...]; required',
  },
  clientId: {
    flag: textFlag('client-id'),
    environment: 'RICOCHET_CLIENT_ID',
    roles: allRoles,
    description: 'Kafka client id',
    defaultText: serviceClientId('<role>'),
  },
  'sasl.mechanism': {
    flag: textFlag('sasl-mechanism'),
    environment: 'RICOCHET_SASL_MECHANISM',
    roles: allRoles,
    description: 'SASL mechanism: plain, scram-sha-256 or scram-sha-512',
    defaultText: 'no SASL',
  },
  'sasl.username': {
    flag: textFlag('sasl-username'),
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
    flag: textFlag('tls-ca-file'),
    environment: 'RICOCHET_TLS_CA_FILE',
    roles: allRoles,
    description: 'PEM file of the CAs to trust',
    defaultText: 'the system CAs',
  },
  'tls.certFile': {
    flag: textFlag('tls-cert-file'),
    environment: 'RICOCHET_TLS_CERT_FILE',
    roles: allRoles,
    description: 'PEM client certificate, with --tls-key-file',
  },
  'tls.keyFile': {
    flag: textFlag('tls-key-file'),
    environment: 'RICOCHET_TLS_KEY_FILE',
    roles: allRoles,
    description: 'PEM client private key, with --tls-cert-file',
  },
  connectionTimeoutMs: {
    flag: textFlag('connection-timeout-ms'),
    environment: 'RICOCHET_CONNECTION_TIMEOUT_MS',
    roles: allRoles,
    description: 'how long to wait for a broker connection',
    defaultText: String(defaultConnectionTimeoutMilliseconds),
  },
  requestTimeoutMs: {
    flag: textFlag('request-timeout-ms'),
    environment: 'RICOCHET_REQUEST_TIMEOUT_MS',
    roles: allRoles,
    description: "how long to wait for a broker's answer",
    defaultText: String(defaultRequestTimeoutMilliseconds),
  },
  driver: {
    flag: textFlag('driver'),
    environment: 'RICOCHET_KAFKA_DRIVER',
    roles: allRoles,
    description: `the Kafka client library: ${kafkaDrivers.join(' or ')} (librdkafka needs its native addon built: docs/drivers.md)`,
    defaultText: defaultKafkaDriver,
  },
  logLevel: {
    flag: textFlag('log-level'),
    environment: 'RICOCHET_LOG_LEVEL',
    roles: allRoles,
    description: 'error, warn, info or debug',
    defaultText: defaultLogLevel,
  },
  logFormat: {
    flag: textFlag('log-format'),
    environment: 'RICOCHET_LOG_FORMAT',
    roles: allRoles,
    description: 'json or pretty',
    defaultText: 'pretty on a terminal, else json',
  },
  'http.port': {
    flag: textFlag('http-port'),
    environment: 'RICOCHET_HTTP_PORT',
    roles: allRoles,
    description: 'port of the health and metrics endpoints; 0 for none',
    defaultText: String(defaultHttpPort),
  },
  'http.host': {
    flag: textFlag('http-host'),
    environment: 'RICOCHET_HTTP_HOST',
    roles: allRoles,
    description: 'address the health and metrics endpoints listen on',
    defaultText: defaultHttpHost,
  },
  shutdownTimeoutMs: {
    flag: textFlag('shutdown-timeout-ms'),
    environment: 'RICOCHET_SHUTDOWN_TIMEOUT_MS',
    roles: allRoles,
    description: 'longest wait for a clean stop on SIGTERM before exiting anyway',
    defaultText: String(defaultShutdownTimeoutMs),
  },
  sessionTimeoutMs: {
    flag: textFlag('session-timeout-ms'),
    environment: 'RICOCHET_SESSION_TIMEOUT_MS',
    roles: allRoles,
    description: 'group session timeout: how long a dead instance keeps its partitions',
    defaultText: String(defaultSessionTimeoutMilliseconds),
  },
  publishTimeoutMs: {
    flag: textFlag('publish-timeout-ms'),
    environment: 'RICOCHET_PUBLISH_TIMEOUT_MS',
    roles: ['main', 'delay'],
    description:
      'how long publishes to the tiers may keep failing before the service exits 1 to be restarted',
    defaultText: String(defaultPublishTimeoutMilliseconds),
  },
  dlqTopic: {
    flag: textFlag('dlq'),
    environment: 'RICOCHET_DLQ_TOPIC',
    roles: allRoles,
    description: 'dead-letter topic',
    defaultText: defaultDeadLetterTopic,
  },
  group: {
    flag: textFlag('group'),
    environment: 'RICOCHET_GROUP',
    roles: allRoles,
    description:
      'consumer group (main: required; delay: of a single tier, as several tiers each keep their own)',
    defaultText: `delay: ${delayGroupIdPattern}; dlq: ${defaultArchiverGroupId}`,
  },
  ...roleSettingDefinitions,
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof settingDefinitions;

/** The config file is named by its own flag and variable, never by a file key. */
export const configFileSetting = {
  flag: textFlag('config'),
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
  'driver',
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
