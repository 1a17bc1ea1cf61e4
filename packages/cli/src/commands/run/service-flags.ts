import type { Argv } from 'yargs';
import {
  loadServiceConfig,
  settingsFor,
  type ServiceConfigFor,
  type ServiceRole,
} from '@ricochet/service-config';
import type { CliIo } from '../../io.js';
import { isConnectionSetting, withConnectionFlags, withSettingFlags } from '../../setting-flags.js';

const roleHeadings: Record<ServiceRole, string> = {
  main: 'Main consumer:',
  delay: 'Delay tier:',
  dlq: 'Archiver:',
};

/** The flags of `run <role>` and `config check <role>`, from the settings table. */
export function withServiceFlags<T>(yargs: Argv<T>, role: ServiceRole): Argv<T> {
  const serviceSettings = settingsFor(role).filter(([key]) => !isConnectionSetting(key));
  return withSettingFlags(withConnectionFlags(yargs), serviceSettings, (definition) =>
    definition.roles.length === 1 ? roleHeadings[role] : 'Service:',
  );
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
