import { ConfigError } from '@ricochet/core';
import { primarySpelling, type SettingKey } from './settings.js';
import type { ServiceConfig } from './types.js';

/**
 * How to name `key` in an error: where its value came from, or for a default, its flag (its
 * variable when it has no flag).
 */
export function sourceOf(config: ServiceConfig, key: SettingKey): string {
  const source = config.sources[key];
  return source === undefined || source === 'default' ? primarySpelling(key) : source;
}

/**
 * Runs a check that lives elsewhere (opening the store, loading the handler) and names its
 * ConfigError by `source`, the way the user gave the setting, instead of the library's name.
 */
export function asSetting<T>(source: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw renamed(error, source);
  }
}

export async function asSettingAsync<T>(source: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    throw renamed(error, source);
  }
}

function renamed(error: unknown, source: string): unknown {
  if (!(error instanceof ConfigError) || error.field === source) {
    return error;
  }
  const prefix = `${error.field}: `;
  const problem = error.message.startsWith(prefix)
    ? error.message.slice(prefix.length)
    : error.message;
  return new ConfigError(source, problem, { cause: error.cause });
}
