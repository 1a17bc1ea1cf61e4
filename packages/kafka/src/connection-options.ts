import { choiceOption, ConfigError, positiveIntegerOption } from '@ricochet/core';
import { defaultKafkaDriver, kafkaDrivers } from './driver.js';
import {
  defaultConnectionTimeoutMilliseconds,
  defaultRequestTimeoutMilliseconds,
  type KafkaConnectionOptions,
} from './client.js';

/**
 * How every Ricochet service reaches the cluster, as its options spell it: each role's options
 * extend this. Defaults: client id per role, connection timeout
 * `defaultConnectionTimeoutMilliseconds` (3000), request timeout
 * `defaultRequestTimeoutMilliseconds` (30000), driver `defaultKafkaDriver` (kafkajs).
 */
export type ServiceConnectionOptions = Pick<
  KafkaConnectionOptions,
  | 'brokers'
  | 'clientId'
  | 'ssl'
  | 'sasl'
  | 'connectionTimeoutMilliseconds'
  | 'requestTimeoutMilliseconds'
  | 'driver'
  | 'logger'
>;

/** Validates a service's connection options once, naming the bad field; fills the defaults. */
export function compileConnectionOptions(
  options: ServiceConnectionOptions,
  defaultClientId: string,
): KafkaConnectionOptions {
  if (options.brokers.length === 0) {
    throw new ConfigError('brokers', 'give at least one broker (host:port)');
  }
  return {
    brokers: options.brokers,
    clientId: options.clientId ?? defaultClientId,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeoutMilliseconds: positiveIntegerOption(
      'connectionTimeoutMilliseconds',
      options.connectionTimeoutMilliseconds,
      defaultConnectionTimeoutMilliseconds,
    ),
    requestTimeoutMilliseconds: positiveIntegerOption(
      'requestTimeoutMilliseconds',
      options.requestTimeoutMilliseconds,
      defaultRequestTimeoutMilliseconds,
    ),
    driver: choiceOption('driver', options.driver, kafkaDrivers, defaultKafkaDriver),
    logger: options.logger,
  };
}
