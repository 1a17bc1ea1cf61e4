import type { ConfigFile, ConfigInput, GivenValue } from './config-input.js';
import { settingDefinitions, type SettingDefinition, type SettingKey } from './settings.js';

/** The value of `key` from the strongest source that gives one: flag, environment, file. */
export function givenValue(key: SettingKey, input: ConfigInput): GivenValue | undefined {
  const definition: SettingDefinition = settingDefinitions[key];
  if (definition.flag !== undefined) {
    const flagged = input.flags[definition.flag.name];
    if (flagged !== undefined) {
      // A flag given twice keeps its last value, as on most command lines; yargs makes a list.
      const value =
        Array.isArray(flagged) && definition.flag.repeatable !== true ? flagged.at(-1) : flagged;
      return { value, source: `--${definition.flag.name}` };
    }
  }
  const environmentValue = input.environment[definition.environment];
  // Deployment files often set a variable to nothing to mean "not set".
  if (environmentValue !== undefined && environmentValue.trim() !== '') {
    return { value: environmentValue, source: definition.environment };
  }
  const fileValue = valueInFile(input.file, key);
  // `key:` with nothing after it is YAML's null: written, but not given.
  if (fileValue !== undefined && fileValue !== null && input.file !== undefined) {
    return { value: fileValue, source: `${input.file.name}: ${key}` };
  }
  return undefined;
}

function valueInFile(file: ConfigFile | undefined, key: string): unknown {
  let current: unknown = file?.content;
  for (const part of key.split('.')) {
    if (!isMapping(current) || !Object.hasOwn(current, part)) {
      return undefined;
    }
    current = current[part];
  }
  return current;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads settings through `givenValue`, noting for each where its value came from: the resolved
 * config reports that, and later checks name the setting by it.
 */
export class SettingReader {
  readonly #input: ConfigInput;
  readonly #sources: Record<string, string> = {};

  constructor(input: ConfigInput) {
    this.#input = input;
  }

  given(key: SettingKey): GivenValue | undefined {
    const given = givenValue(key, this.#input);
    this.#sources[key] = given?.source ?? 'default';
    return given;
  }

  /** Parses the given value with `parse`, or returns `fallback` when none is given. */
  read<Value, Fallback>(
    key: SettingKey,
    parse: (given: GivenValue) => Value,
    fallback: Fallback,
  ): Value | Fallback {
    const given = this.given(key);
    return given === undefined ? fallback : parse(given);
  }

  sourceOf(key: SettingKey): string {
    return this.#sources[key] ?? 'default';
  }

  get sources(): Readonly<Record<string, string>> {
    return { ...this.#sources };
  }
}
