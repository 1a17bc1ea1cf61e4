import { ConfigError, parseDuration } from '@ricochet/core';

/**
 * `--since 2h` (that long before now) or `--since 2026-11-21T08:00:00Z` (an ISO time) as epoch
 * milliseconds.
 */
export function parseTimeBound(text: string, now: number, flag: string): number {
  if (/^\d+(ms|s|m|h|d)$/.test(text.trim())) {
    return now - parseDuration(text, flag);
  }
  const parsed = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(parsed)) {
    return parsed;
  }
  throw new ConfigError(
    flag,
    `"${text}" is neither a duration (30m, 2h, 7d) nor an ISO time (2026-11-21T08:00:00Z)`,
  );
}
