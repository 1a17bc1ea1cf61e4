import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';

const isoDatePrefix = /^(\d{4})-(\d{2})-(\d{2})/;

/** Date.parse rolls a day past the end of its month over: it reads 2026-02-30 as March 2. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

/**
 * `--since 2h` (that long before now) or `--since 2026-11-21T08:00:00Z` (an ISO time) as epoch
 * milliseconds.
 */
export function parseTimeBound(text: string, now: number, flag: string): number {
  if (/^\d+(ms|s|m|h|d)$/.test(text.trim())) {
    return now - parseDuration(text, flag);
  }
  const parsed = Date.parse(text);
  const date = isoDatePrefix.exec(text);
  if (date !== null && !Number.isNaN(parsed)) {
    if (!isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]))) {
      throw new ConfigError(flag, `"${text}" names a day that is not in the calendar`);
    }
    return parsed;
  }
  throw new ConfigError(
    flag,
    `"${text}" is neither a duration (30m, 2h, 7d) nor an ISO time (2026-11-21T08:00:00Z)`,
  );
}
