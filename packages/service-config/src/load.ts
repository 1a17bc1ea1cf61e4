import { readFileSync } from 'node:fs';
import { ConfigError } from '@ricochet/core';
import type { ConfigFile, ConfigInput, TlsFileRead } from './config-input.js';
import { parseConfigText } from './config-text.js';
import {
  resolveConnectionConfig,
  resolveOptionalConnectionConfig,
  type ConnectionDefaults,
} from './resolve-connection.js';
import { resolveServiceConfig } from './resolve.js';
import { configFileSetting } from './settings.js';
import { tlsFilePaths } from './tls.js';
import type { ConnectionConfig, ServiceConfigFor, ServiceRole } from './types.js';
import { textValue } from './values.js';

// The edge: the only module here that touches the file system. Everything it reads is handed to
// the pure resolution in resolve.ts.

/** Reads and parses a config file; `source` names where its path came from, for errors. */
export function loadConfigFile(path: string, source = path): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(source, `cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
  return parseConfigText(text, path);
}

/** Reads each path as text; a file that cannot be read is reported by resolution, by setting. */
export function readTlsFiles(paths: readonly string[]): Map<string, TlsFileRead> {
  const files = new Map<string, TlsFileRead>();
  for (const path of paths) {
    try {
      files.set(path, { contents: readFileSync(path, 'utf8') });
    } catch (error) {
      files.set(path, { problem: messageOf(error) });
    }
  }
  return files;
}

export interface ServiceConfigSources {
  readonly flags: Readonly<Record<string, unknown>>;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly isTerminal?: boolean;
}

/** Reads the config file (`--config`, else RICOCHET_CONFIG) and the TLS files, then resolves. */
export function loadServiceConfig<Role extends ServiceRole>(
  role: Role,
  sources: ServiceConfigSources,
): ServiceConfigFor<Role> {
  return resolveServiceConfig(role, readInput(sources));
}

/** As `loadServiceConfig`, for a command that needs only the Kafka connection. */
export function loadConnectionConfig(
  sources: ServiceConfigSources,
  defaults: ConnectionDefaults,
): ConnectionConfig {
  return resolveConnectionConfig(readInput(sources), defaults);
}

/** Everything resolution looks at, with the config file and the TLS files it names read. */
/** As `loadConnectionConfig`; undefined when no brokers are given anywhere. */
export function loadOptionalConnectionConfig(
  sources: ServiceConfigSources,
  defaults: ConnectionDefaults,
): ConnectionConfig | undefined {
  return resolveOptionalConnectionConfig(readInput(sources), defaults);
}

function readInput(sources: ServiceConfigSources): ConfigInput {
  const location = configFileLocation(sources);
  const input: ConfigInput = {
    ...sources,
    file: location === undefined ? undefined : loadConfigFile(location.path, location.source),
  };
  return { ...input, tlsFiles: readTlsFiles(tlsFilePaths(input)), now: Date.now() };
}

function configFileLocation(
  sources: ServiceConfigSources,
): { path: string; source: string } | undefined {
  const flagged = sources.flags[configFileSetting.flag.name];
  if (flagged !== undefined) {
    const source = `--${configFileSetting.flag.name}`;
    const value = Array.isArray(flagged) ? flagged.at(-1) : flagged;
    return { path: textValue({ value, source }), source };
  }
  const fromEnvironment = sources.environment[configFileSetting.environment];
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    return { path: fromEnvironment.trim(), source: configFileSetting.environment };
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
