import { extname } from 'node:path';
import { ConfigError } from '@ricochet/core';
import { parseDocument, type YAMLError } from 'yaml';
import type { ConfigFile } from './config-input.js';

/**
 * Parses a config file's text, as YAML or JSON by its extension. Parser messages are not passed
 * on: they quote the offending line, which may hold a password. The position is enough to find it.
 */
export function parseConfigText(text: string, name: string): ConfigFile {
  const extension = extname(name).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new ConfigError(name, 'a config file must end in .yaml, .yml or .json');
  }
  const format = extension === '.json' ? 'JSON' : 'YAML';
  // The JSON schema refuses bare words such as yes or 0x10 that only YAML would take.
  // prettyErrors adds the line and column, read below; its quoting message is never shown.
  const document = parseDocument(text, {
    prettyErrors: true,
    uniqueKeys: true,
    ...(format === 'JSON' ? { schema: 'json' } : {}),
  });
  const [error] = [...document.errors, ...document.warnings];
  if (error !== undefined) {
    throw new ConfigError(name, `not valid ${format}: ${describeParseError(error)}`);
  }
  try {
    return { name, content: document.toJS({ maxAliasCount: 100 }) };
  } catch {
    // toJS throws for an alias without its anchor and for an alias expansion bomb.
    throw new ConfigError(name, `not valid ${format}: an alias is unresolved or expands too far`);
  }
}

const problemWording: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'a key appears twice',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  TAG_RESOLVE_FAILED: 'a value is not valid here (JSON text must be quoted)',
  BAD_INDENT: 'the indentation is inconsistent',
  MULTILINE_IMPLICIT_KEY: 'a key runs over more than one line',
};

function describeParseError(error: YAMLError): string {
  const wording = problemWording[error.code] ?? error.code.toLowerCase().replaceAll('_', ' ');
  const position = error.linePos?.[0];
  return position === undefined
    ? wording
    : `${wording} at line ${position.line}, column ${position.col}`;
}
