import { ConfigError } from './errors.js';

/**
 * The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days): a longer one fires at once.
 */
export const maxTimerMilliseconds = 2_147_483_647;

const unitMilliseconds = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;

type DurationUnit = keyof typeof unitMilliseconds;

/** Largest first, so that formatting picks the coarsest unit that divides exactly. */
const unitsLargestFirst: readonly DurationUnit[] = ['d', 'h', 'm', 's', 'ms'];

const durationPattern = /^(\d+)(ms|s|m|h|d)$/;

/** Whether `text` is written as a duration (`5s`, `500ms`), its value unchecked. */
export function isDurationText(text: string): boolean {
  return durationPattern.test(text);
}

/**
 * Parses a duration such as `500ms`, `5s`, `1m`, `10m`, `2h` or `1d` into milliseconds.
 * `field` names the setting in the error message.
 */
export function parseDuration(text: string, field: string): number {
  const match = durationPattern.exec(text.trim());
  if (match === null) {
    throw new ConfigError(
      field,
      `"${text}" is not a duration; write a whole number followed by ms, s, m, h or d (e.g. 5s, 1m, 10m)`,
    );
  }
  const amount = Number(match[1]);
  const unit = match[2] as DurationUnit;
  const milliseconds = amount * unitMilliseconds[unit];
  if (!Number.isSafeInteger(milliseconds) || milliseconds <= 0) {
    throw new ConfigError(field, `"${text}" must be a positive duration`);
  }
  return milliseconds;
}

/** Formats milliseconds with the coarsest unit that divides them exactly: 60000 -> `1m`. */
export function formatDuration(milliseconds: number): string {
  for (const unit of unitsLargestFirst) {
    const size = unitMilliseconds[unit];
    if (milliseconds % size === 0) {
      return `${milliseconds / size}${unit}`;
    }
  }
  return `${milliseconds}ms`;
}
