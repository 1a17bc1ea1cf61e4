import { ConfigError } from './errors.js';

/** An optional positive whole number, `fallback` when absent; a bad value names its field. */
export function positiveIntegerOption(
  field: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

/** An optional whole number from `minimum` to `maximum`, `fallback` when absent. */
export function boundedIntegerOption(
  field: string,
  value: number | undefined,
  fallback: number,
  bounds: { readonly minimum: number; readonly maximum: number },
): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isSafeInteger(value) || value < bounds.minimum || value > bounds.maximum) {
    throw new ConfigError(
      field,
      `must be a whole number from ${bounds.minimum} to ${bounds.maximum}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Throws when `options` has a field under a name it no longer has: a JavaScript caller's old
 * name would otherwise be ignored, and its value with it. `renamed` maps old names to new.
 */
export function refuseRenamedOptions(
  options: object,
  renamed: Readonly<Record<string, string>>,
): void {
  for (const [oldName, newName] of Object.entries(renamed)) {
    if (oldName in options) {
      throw new ConfigError(oldName, `was renamed ${newName}; set ${newName} instead`);
    }
  }
}

export function nonEmptyTextOption(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, 'must be a non-empty string');
  }
  return value;
}

/** One of `choices`, `fallback` when absent; a JavaScript caller may pass anything. */
export function choiceOption<Choice extends string>(
  field: string,
  value: unknown,
  choices: readonly Choice[],
  fallback: Choice,
): Choice {
  if (value === undefined) {
    return fallback;
  }
  if (!choices.includes(value as Choice)) {
    throw new ConfigError(field, `must be one of ${choices.join(', ')}, got ${String(value)}`);
  }
  return value as Choice;
}
