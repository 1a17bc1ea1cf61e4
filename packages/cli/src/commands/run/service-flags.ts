import type { Argv } from 'yargs';
import {
  configFileSetting,
  loadServiceConfig,
  settingsFor,
  type SettingDefinition,
  type SettingKey,
  type ServiceConfigFor,
  type ServiceRole,
} from '@ricochet/service-config';
import type { CliIo } from '../../io.js';

const connectionKeys: ReadonlySet<SettingKey> = new Set<SettingKey>([
  'brokers',
  'clientId',
  'sasl.mechanism',
  'sasl.username',
  'tls.enabled',
  'tls.caFile',
  'tls.certFile',
  'tls.keyFile',
  'connectionTimeoutMs',
  'requestTimeoutMs',
]);

const roleHeadings: Record<ServiceRole, string> = {
  main: 'Main consumer:',
  delay: 'Delay tier:',
  dlq: 'Archiver:',
};

/**
 * The flags of `run <role>` and `config check <role>`, from the settings table. None has a
 * yargs default: a default here would outrank the environment and the config file. Numbers are
 * taken as text so that a bad one reaches validation as typed, not as NaN.
 */
export function withServiceFlags<T>(yargs: Argv<T>, role: ServiceRole): Argv<T> {
  const groups = new Map<string, string[]>();
  let withFlags = yargs.option(configFileSetting.flag.name, {
    type: 'string',
    describe: describe(configFileSetting),
  }) as Argv<T>;
  for (const [key, definition] of settingsFor(role)) {
    const flag = definition.flag;
    if (flag === undefined) {
      continue;
    }
    withFlags = withFlags.option(flag.name, {
      type: flag.type,
      ...(flag.repeatable === true ? { array: true } : {}),
      describe: describe(definition),
    }) as Argv<T>;
    const heading = headingOf(key, definition, role);
    groups.set(heading, [...(groups.get(heading) ?? []), flag.name]);
  }
  for (const [heading, flags] of groups) {
    withFlags = withFlags.group(flags, heading);
  }
  // Declared so that it is refused with where the password belongs, not as an unknown flag.
  return withFlags.option('sasl-password', { type: 'string', hidden: true }) as Argv<T>;
}

function describe(setting: Pick<SettingDefinition, 'description' | 'environment' | 'defaultText'>) {
  const defaultText = setting.defaultText === undefined ? '' : `; default ${setting.defaultText}`;
  return `${setting.description} ($${setting.environment}${defaultText})`;
}

function headingOf(key: SettingKey, definition: SettingDefinition, role: ServiceRole): string {
  if (definition.roles.length === 1) {
    return roleHeadings[role];
  }
  return connectionKeys.has(key) ? 'Kafka connection:' : 'Service:';
}

/** The service's settings from the parsed flags, the command's environment and the config file. */
export function serviceConfigFrom<Role extends ServiceRole>(
  role: Role,
  argv: object,
  io: CliIo,
): ServiceConfigFor<Role> {
  return loadServiceConfig(role, {
    flags: argv as Record<string, unknown>,
    environment: io.environment,
    isTerminal: 'isTTY' in io.stderr && io.stderr.isTTY === true,
  });
}
