import { ConfigError } from '@ricochet/core';
import type { ConfigFile } from './config-input.js';
import { isMapping } from './precedence.js';
import { settingDefinitions } from './settings.js';

/** The shape a config file may have: a key maps to `true` (a setting) or to a nested section. */
interface KeyTree {
  readonly [key: string]: true | KeyTree;
}

const knownKeys: KeyTree = buildKeyTree(Object.keys(settingDefinitions));

function buildKeyTree(keys: readonly string[]): KeyTree {
  const tree: Record<string, true | Record<string, unknown>> = {};
  for (const key of keys) {
    const [section, ...rest] = key.split('.');
    if (section === undefined) {
      continue;
    }
    if (rest.length === 0) {
      tree[section] = true;
    } else {
      const nested = tree[section];
      tree[section] = { ...(isMapping(nested) ? nested : {}), [rest.join('.')]: true };
    }
  }
  return tree as KeyTree;
}

/**
 * Refuses keys the file may not have. Every role's section is allowed whichever role reads the
 * file, so that one file can serve all the services; a misspelt key is an error, never ignored.
 */
export function checkFileKeys(file: ConfigFile | undefined): void {
  if (file === undefined || file.content === null || file.content === undefined) {
    return;
  }
  if (!isMapping(file.content)) {
    throw new ConfigError(
      file.name,
      `must be a mapping of settings (brokers, logLevel, ...), got ${Array.isArray(file.content) ? 'a list' : typeof file.content}`,
    );
  }
  checkSection(file.name, file.content, knownKeys, []);
}

function checkSection(
  fileName: string,
  section: Record<string, unknown>,
  known: KeyTree,
  path: readonly string[],
): void {
  for (const [key, value] of Object.entries(section)) {
    const keyPath = [...path, key].join('.');
    const expected = known[key];
    if (expected === undefined) {
      throw new ConfigError(`${fileName}: ${keyPath}`, unknownKeyProblem(key, known, path));
    }
    if (expected === true || value === null) {
      continue;
    }
    if (!isMapping(value)) {
      throw new ConfigError(
        `${fileName}: ${keyPath}`,
        `must be a section with ${Object.keys(expected).join(', ')}, not a single value`,
      );
    }
    checkSection(fileName, value, expected, [...path, key]);
  }
}

function unknownKeyProblem(key: string, known: KeyTree, path: readonly string[]): string {
  const candidates = Object.keys(known);
  const closest = candidates
    .map((candidate) => ({ candidate, distance: editDistance(key, candidate) }))
    .sort((left, right) => left.distance - right.distance)[0];
  const prefix = path.length === 0 ? '' : `${path.join('.')}.`;
  if (closest !== undefined && closest.distance <= Math.max(2, Math.floor(key.length / 4))) {
    return `unknown key; did you mean ${prefix}${closest.candidate}?`;
  }
  return path.length === 0
    ? 'unknown key; see the settings in docs/operations-contract.md'
    : `unknown key; ${path.join('.')} takes ${candidates.join(', ')}`;
}

/** Levenshtein distance, ignoring case so that `clientid` suggests `clientId`. */
function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
