import { ConfigError } from '@ricochet/core';
import {
  defaultConnectionTimeoutMilliseconds,
  defaultKafkaDriver,
  kafkaDrivers,
  defaultRequestTimeoutMilliseconds,
  parseBrokerList,
  type SaslOptions,
} from '@ricochet/kafka';
import type { ConfigInput } from './config-input.js';
import type { SettingReader } from './precedence.js';
import { primarySpelling, spellingsOf } from './settings.js';
import { resolveTls } from './tls.js';
import { saslMechanisms, type KafkaConfig } from './types.js';
import { choiceValue, integerValue, listValue, secretValue, textValue } from './values.js';

/** What an unset setting becomes: a service and a command someone waits on want different ones. */
export interface KafkaDefaults {
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The table's defaults, which the services take. */
export const serviceTimeoutDefaults = {
  connectionTimeoutMs: defaultConnectionTimeoutMilliseconds,
  requestTimeoutMs: defaultRequestTimeoutMilliseconds,
} as const;

export function resolveKafka(
  reader: SettingReader,
  input: ConfigInput,
  defaults: KafkaDefaults,
): KafkaConfig {
  const given = reader.given('brokers');
  if (given === undefined) {
    throw new ConfigError(
      primarySpelling('brokers'),
      `no brokers given; set ${spellingsOf('brokers')}`,
    );
  }
  const brokers = parseBrokerList(listValue(given).join(','), given.source);
  const clientId = reader.read('clientId', textValue, defaults.clientId);
  const sasl = resolveSasl(reader);
  const { tls, ssl } = resolveTls(reader, input);
  return {
    brokers,
    clientId,
    tls,
    ssl,
    sasl,
    connectionTimeoutMs: reader.read(
      'connectionTimeoutMs',
      (value) => integerValue(value, 1),
      defaults.connectionTimeoutMs,
    ),
    requestTimeoutMs: reader.read(
      'requestTimeoutMs',
      (value) => integerValue(value, 1),
      defaults.requestTimeoutMs,
    ),
    driver: reader.read('driver', (value) => choiceValue(value, kafkaDrivers), defaultKafkaDriver),
  };
}

/** Credentials only with a mechanism, and a mechanism only with both credentials. */
function resolveSasl(reader: SettingReader): SaslOptions | undefined {
  const mechanism = reader.read(
    'sasl.mechanism',
    (value) => choiceValue(value, saslMechanisms),
    undefined,
  );
  const username = reader.read('sasl.username', textValue, undefined);
  const password = reader.read('sasl.password', secretValue, undefined);
  if (mechanism === undefined) {
    const stray =
      username !== undefined
        ? 'sasl.username'
        : password !== undefined
          ? 'sasl.password'
          : undefined;
    if (stray !== undefined) {
      throw new ConfigError(
        reader.sourceOf(stray),
        `SASL credentials given without a mechanism; set ${spellingsOf('sasl.mechanism')}`,
      );
    }
    return undefined;
  }
  const because = `${reader.sourceOf('sasl.mechanism')} is ${mechanism}`;
  if (username === undefined) {
    throw new ConfigError(
      primarySpelling('sasl.username'),
      `required because ${because}; set ${spellingsOf('sasl.username')}`,
    );
  }
  if (password === undefined) {
    throw new ConfigError(
      primarySpelling('sasl.password'),
      `required because ${because}; set ${spellingsOf('sasl.password')}`,
    );
  }
  return { mechanism, username, password };
}
