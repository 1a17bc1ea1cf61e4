import { ConfigError, maxTimerMilliseconds } from '@ricochet/core';
import type { GivenValue } from './config-input.js';

/** A value as it may appear in a message: quoted text, a bounded preview of anything else. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One text value; a number in a file is taken as text (`group: 2024`). */
export function textValue(given: GivenValue): string {
  const value = given.value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value !== 'string') {
    throw new ConfigError(given.source, `must be text, got ${shown(value)}`);
  }
  if (value.trim() === '') {
    throw new ConfigError(given.source, 'must not be empty');
  }
  return value.trim();
}

/** A secret: checked like text, but never repeated back in a message. */
export function secretValue(given: GivenValue): string {
  if (typeof given.value !== 'string') {
    throw new ConfigError(given.source, 'must be text (the value is secret, so not shown)');
  }
  if (given.value === '') {
    throw new ConfigError(given.source, 'must not be empty');
  }
  // Not trimmed: a password may begin or end with a space.
  return given.value;
}

/** Comma-separated text, a repeated flag, or a list in the file; entries trimmed, blanks dropped. */
export function listValue(given: GivenValue): string[] {
  const parts = Array.isArray(given.value) ? given.value : [given.value];
  const entries: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      throw new ConfigError(given.source, `must be text or a list of text, got ${shown(part)}`);
    }
    entries.push(
      ...part
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    );
  }
  if (entries.length === 0) {
    throw new ConfigError(given.source, `must name at least one, got ${shown(given.value)}`);
  }
  return entries;
}

/**
 * A whole number from `minimum` to `maximum`, written as digits or, in a file, as a number. The
 * default maximum is what timers take: a huge `--shutdown-timeout-ms` would otherwise fire at
 * once, no wait at all rather than a long one.
 */
export function integerValue(
  given: GivenValue,
  minimum: number,
  maximum = maxTimerMilliseconds,
): number {
  const value = given.value;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isInteger(number)) {
    throw new ConfigError(given.source, `${shown(value)} is not a whole number`);
  }
  if (number < minimum || number > maximum) {
    throw new ConfigError(
      given.source,
      `must be a whole number from ${minimum} to ${maximum}, got ${number}`,
    );
  }
  return number;
}

const trueWords = new Set(['true', '1', 'yes', 'on']);
const falseWords = new Set(['false', '0', 'no', 'off']);

/** A boolean, or in text: true/false, 1/0, yes/no, on/off. */
export function booleanValue(given: GivenValue): boolean {
  const value = given.value;
  if (typeof value === 'boolean') {
    return value;
  }
  const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (word !== undefined && trueWords.has(word)) {
    return true;
  }
  if (word !== undefined && falseWords.has(word)) {
    return false;
  }
  throw new ConfigError(given.source, `must be true or false, got ${shown(value)}`);
}

/** One of `choices`, in any case (Kafka's documentation writes SCRAM-SHA-512). */
export function choiceValue<Choice extends string>(
  given: GivenValue,
  choices: readonly Choice[],
): Choice {
  const text = textValue(given);
  const choice = choices.find((candidate) => candidate === text.toLowerCase());
  if (choice === undefined) {
    throw new ConfigError(given.source, `must be one of ${choices.join(', ')}, got ${shown(text)}`);
  }
  return choice;
}

/** The URL with any password in it replaced, for messages and printed settings. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not parseable as a URL: still hide anything shaped like user:password@.
    return url.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/, '$1***@');
  }
  if (parsed.password === '' && !parsed.searchParams.has('password')) {
    return url;
  }
  if (parsed.password !== '') {
    parsed.password = '***';
  }
  if (parsed.searchParams.has('password')) {
    parsed.searchParams.set('password', '***');
  }
  return parsed.toString();
}
