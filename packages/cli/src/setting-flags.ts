import type { Argv } from 'yargs';
import {
  configFileSetting,
  connectionSettingKeys,
  settingDefinitions,
  type ConnectionDefaults,
  type SettingDefinition,
  type SettingKey,
} from '@ricochet/service-config';

export type Setting = readonly [SettingKey, SettingDefinition];

const connectionKeys: ReadonlySet<SettingKey> = new Set<SettingKey>(connectionSettingKeys);

export function isConnectionSetting(key: SettingKey): boolean {
  return connectionKeys.has(key);
}

/**
 * --config and the flags of the Kafka connection settings, for every command that talks to Kafka.
 * Read them with `loadConnectionConfig` or `loadServiceConfig`; --help shows `defaults` when the
 * command has its own.
 */
export function withConnectionFlags<T>(yargs: Argv<T>, defaults?: ConnectionDefaults): Argv<T> {
  const withConfig = yargs.option(configFileSetting.flag.name, {
    type: 'string',
    describe: describeSetting(configFileSetting),
  }) as Argv<T>;
  const shownDefaults = defaultTexts(defaults);
  const settings = connectionSettingKeys.map((key): Setting => {
    const definition: SettingDefinition = settingDefinitions[key];
    const defaultText = shownDefaults[key];
    return [key, defaultText === undefined ? definition : { ...definition, defaultText }];
  });
  const withFlags = withSettingFlags(withConfig, settings, () => 'Kafka connection:');
  // Declared so that it is refused with where the password belongs, not as an unknown flag.
  return withFlags.option('sasl-password', { type: 'string', hidden: true }) as Argv<T>;
}

function defaultTexts(
  defaults: ConnectionDefaults | undefined,
): Partial<Record<SettingKey, string>> {
  if (defaults === undefined) {
    return {};
  }
  const { clientId, connectionTimeoutMs, requestTimeoutMs } = defaults;
  return {
    clientId,
    ...(connectionTimeoutMs === undefined
      ? {}
      : { connectionTimeoutMs: String(connectionTimeoutMs) }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs: String(requestTimeoutMs) }),
  };
}

/**
 * The flag of each setting that has one, grouped in --help under `headingOf`. None has a yargs
 * default: a default here would outrank the environment and the config file. Numbers are taken
 * as text so that a bad one reaches validation as typed, not as NaN.
 */
export function withSettingFlags<T>(
  yargs: Argv<T>,
  settings: readonly Setting[],
  headingOf: (definition: SettingDefinition) => string,
): Argv<T> {
  const groups = new Map<string, string[]>();
  let withFlags = yargs;
  for (const [, definition] of settings) {
    const flag = definition.flag;
    if (flag === undefined) {
      continue;
    }
    withFlags = withFlags.option(flag.name, {
      type: flag.type,
      ...(flag.repeatable === true ? { array: true } : {}),
      describe: describeSetting(definition),
    }) as Argv<T>;
    const heading = headingOf(definition);
    groups.set(heading, [...(groups.get(heading) ?? []), flag.name]);
  }
  for (const [heading, flags] of groups) {
    withFlags = withFlags.group(flags, heading);
  }
  return withFlags;
}

function describeSetting(
  setting: Pick<SettingDefinition, 'description' | 'environment' | 'defaultText'>,
): string {
  const defaultText = setting.defaultText === undefined ? '' : `; default ${setting.defaultText}`;
  return `${setting.description} ($${setting.environment}${defaultText})`;
}
