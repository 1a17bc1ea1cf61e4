/**
 * Exponential backoff with a ceiling: 1st retry waits `initialMilliseconds`, each next one twice
 * as long, never more than `maxMilliseconds`. Pure, so callers decide how to wait.
 */
export function exponentialBackoff(
  attempt: number,
  initialMilliseconds: number,
  maxMilliseconds: number,
): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(maxMilliseconds, initialMilliseconds * 2 ** Math.min(exponent, 30));
}
