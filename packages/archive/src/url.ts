import { resolve } from 'node:path';
import { ConfigError } from '@ricochet/core';
import { defaultStoreUrl } from './settings.js';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'postgres';
      /** The URL as the pg driver reads it: `schema` turned into a search_path option. */
      readonly connectionString: string;
      /** Where the tables live (search_path); undefined keeps the server's default. */
      readonly schema: string | undefined;
    };

export const memoryPath = ':memory:';
// Lower-case, unquoted-identifier shape: nothing to quote or escape, and no case surprises.
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads a store URL: `sqlite:<path>` (relative to the working directory, or `sqlite::memory:`)
 * or `postgres://` / `postgresql://` with an optional `schema` parameter.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const text = url.trim();
  if (text.startsWith('sqlite:')) {
    return parseSqlite(text.slice('sqlite:'.length), url);
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    return parsePostgres(text, url);
  }
  throw badUrl(url, 'expected sqlite:<path> or postgres://user@host:port/database');
}

function parseSqlite(path: string, url: string): StoreLocation {
  if (path === '') {
    throw badUrl(url, `the SQLite path is empty (try ${defaultStoreUrl})`);
  }
  if (path.startsWith('//')) {
    throw badUrl(url, 'write sqlite:/absolute/path.db or sqlite:./relative/path.db');
  }
  return { kind: 'sqlite', path: path === memoryPath ? memoryPath : resolve(path) };
}

function parsePostgres(text: string, url: string): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw badUrl(url, 'not a valid PostgreSQL URL');
  }
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
    throw badUrl(url, 'the PostgreSQL URL names no host');
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !schemaPattern.test(schema)) {
    throw badUrl(url, 'schema must be lower-case letters, digits and _ (at most 63)');
  }
  // The driver would pass an unknown parameter on to the server, which refuses it.
  parsed.searchParams.delete('schema');
  if (schema !== undefined) {
    // In the URL rather than the pool's config, where a URL `options` would silently replace it.
    const options = parsed.searchParams.get('options');
    const searchPath = `-c search_path=${schema}`;
    parsed.searchParams.set('options', options === null ? searchPath : `${options} ${searchPath}`);
  }
  return { kind: 'postgres', connectionString: parsed.toString(), schema };
}

function badUrl(url: string, problem: string): ConfigError {
  return new ConfigError('store', `${problem}, got ${JSON.stringify(redactStoreUrl(url))}`);
}

/** The URL with any password replaced, for messages and logs. */
export function redactStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') {
      parsed.password = '***';
      return parsed.toString();
    }
    if (parsed.searchParams.has('password')) {
      parsed.searchParams.set('password', '***');
      return parsed.toString();
    }
    return url;
  } catch {
    // Not parseable as a URL: still hide anything shaped like user:password@.
    return url.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/, '$1***@');
  }
}
