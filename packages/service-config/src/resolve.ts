import { checkTopicName, ConfigError, defaultDeadLetterTopic } from '@ricochet/core';
import { defaultSessionTimeoutMilliseconds, sessionTimeoutBounds } from '@ricochet/kafka';
import type { ConfigInput, GivenValue } from './config-input.js';
import { checkedReader } from './checked-reader.js';
import { resolveKafka, serviceTimeoutDefaults } from './kafka-settings.js';
import { resolveDelaySettings, resolveDlqSettings, resolveMainSettings } from './role-settings.js';
import {
  defaultHttpHost,
  defaultHttpPort,
  defaultLogLevel,
  defaultShutdownTimeoutMs,
  serviceClientId,
} from './settings.js';
import {
  logFormats,
  logLevels,
  type ServiceConfig,
  type ServiceConfigFor,
  type ServiceRole,
} from './types.js';
import { choiceValue, integerValue, textValue } from './values.js';

/**
 * The settings of one `ricochet run <role>` service: flags over environment over config file
 * over defaults, each checked once. Throws a ConfigError naming the first bad setting the way the
 * user spelled it, with the bad value (never a secret's). Pure: the caller reads the files.
 */
export function resolveServiceConfig<Role extends ServiceRole>(
  role: Role,
  input: ConfigInput,
): ServiceConfigFor<Role>;
export function resolveServiceConfig(role: ServiceRole, input: ConfigInput): ServiceConfig {
  const reader = checkedReader(input);
  const kafka = resolveKafka(reader, input, {
    clientId: serviceClientId(role),
    ...serviceTimeoutDefaults,
  });
  const common = {
    kafka,
    logLevel: reader.read('logLevel', (value) => choiceValue(value, logLevels), defaultLogLevel),
    logFormat: reader.read(
      'logFormat',
      (value) => choiceValue(value, logFormats),
      input.isTerminal === true ? ('pretty' as const) : ('json' as const),
    ),
    http: {
      port: reader.read('http.port', (value) => integerValue(value, 0, 65_535), defaultHttpPort),
      host: reader.read('http.host', hostValue, defaultHttpHost),
    },
    shutdownTimeoutMs: reader.read(
      'shutdownTimeoutMs',
      (value) => integerValue(value, 1),
      defaultShutdownTimeoutMs,
    ),
    sessionTimeoutMs: reader.read(
      'sessionTimeoutMs',
      (value) => integerValue(value, sessionTimeoutBounds.minimum, sessionTimeoutBounds.maximum),
      defaultSessionTimeoutMilliseconds,
    ),
    dlqTopic: reader.read('dlqTopic', topicValue, defaultDeadLetterTopic),
  };
  switch (role) {
    case 'main': {
      const settings = resolveMainSettings(reader, common.dlqTopic);
      return { role, ...common, ...settings, sources: reader.sources };
    }
    case 'delay': {
      const settings = resolveDelaySettings(reader, common.dlqTopic);
      return { role, ...common, ...settings, sources: reader.sources };
    }
    case 'dlq': {
      const settings = resolveDlqSettings(reader);
      return { role, ...common, ...settings, sources: reader.sources };
    }
  }
}

function topicValue(given: GivenValue): string {
  return checkTopicName(textValue(given), given.source);
}

function hostValue(given: GivenValue): string {
  const host = textValue(given);
  if (/\s|\//.test(host)) {
    throw new ConfigError(given.source, `"${host}" is not a host name or address`);
  }
  return host;
}
