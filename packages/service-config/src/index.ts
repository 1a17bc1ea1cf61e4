/**
 * @ricochet/service-config: the settings of a `ricochet run main|delay|dlq` service, from flags,
 * then environment variables, then a YAML or JSON config file, then defaults (the table in
 * docs/operations-contract.md). `loadConnectionConfig` resolves the Kafka connection alone, the
 * same way, for commands that only talk to Kafka. Resolution is pure and validates once; load.ts
 * is the edge that reads the config and TLS files.
 *
 * @example
 * ```ts
 * import { loadServiceConfig, redactConfig } from '@ricochet/service-config';
 *
 * const config = loadServiceConfig('delay', {
 *   flags: { tier: '5s', 'http-port': '9465' },
 *   environment: process.env,
 * });
 * // config.delay.tiers: [{ topic: 'retry-5s', group: 'ricochet-delay-retry-5s' }]
 * logger.info('settings', { config: redactConfig(config) }); // the SASL password shows as ***
 * ```
 */
export type { ConnectionDefaults } from './resolve-connection.js';
export { redactConfig, redacted } from './redact.js';
export { kafkaConnectionOptions } from './connection.js';
export { asSetting, asSettingAsync, sourceOf } from './setting-errors.js';
export {
  configFileSetting,
  connectionSettingKeys,
  settingDefinitions,
  settingsFor,
  type SettingDefinition,
  type SettingFlag,
  type SettingKey,
} from './settings.js';
export {
  loadConnectionConfig,
  loadOptionalConnectionConfig,
  loadServiceConfig,
  type ServiceConfigSources,
} from './load.js';
export type { ConfigFile, ConfigInput, TlsFileRead } from './config-input.js';
export {
  serviceRoles,
  type ConnectionConfig,
  type DelayServiceConfig,
  type DelayTierConfig,
  type DlqServiceConfig,
  type HttpConfig,
  type KafkaConfig,
  type LogFormat,
  type LogLevel,
  type MainServiceConfig,
  type SaslMechanism,
  type ServiceConfig,
  type ServiceConfigFor,
  type ServiceRole,
  type TlsFiles,
} from './types.js';
