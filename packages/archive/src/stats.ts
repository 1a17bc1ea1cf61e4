import { toNumber } from './records.js';
import type { ArchiveStats } from './types.js';

/** A row of a grouping query: `name` (the group) and `count`. */
export type CountRow = Readonly<Record<string, unknown>>;

export interface StatsRows {
  readonly byOriginalTopic: readonly CountRow[];
  readonly byErrorClass: readonly CountRow[];
  readonly byDeadLetterReason: readonly CountRow[];
  readonly byPeriod: readonly CountRow[];
}

/**
 * Orders in JavaScript rather than SQL: the backends sort NULLs and text differently, and the
 * same archive must give the same stats whichever keeps it. Largest group first, then by name
 * (null last); periods in time order.
 */
export function assembleStats(rows: StatsRows): ArchiveStats {
  const byOriginalTopic = countsByName(rows.byOriginalTopic).map(([originalTopic, count]) => ({
    originalTopic,
    count,
  }));
  const byErrorClass = countsByName(rows.byErrorClass).map(([errorClass, count]) => ({
    errorClass,
    count,
  }));
  const byDeadLetterReason = countsByName(rows.byDeadLetterReason).map(
    ([deadLetterReason, count]) => ({ deadLetterReason, count }),
  );
  const byPeriod = rows.byPeriod
    .map((row) => ({ periodStart: toNumber(row.name), count: toNumber(row.count) }))
    .sort((a, b) => a.periodStart - b.periodStart);
  const total = byOriginalTopic.reduce((sum, group) => sum + group.count, 0);
  return { total, byOriginalTopic, byErrorClass, byDeadLetterReason, byPeriod };
}

function countsByName(rows: readonly CountRow[]): Array<[string | null, number]> {
  return rows
    .map((row): [string | null, number] => [
      row.name === null ? null : String(row.name),
      toNumber(row.count),
    ])
    .sort(([nameA, countA], [nameB, countB]) => countB - countA || compareNames(nameA, nameB));
}

function compareNames(a: string | null, b: string | null): number {
  if (a === null || b === null) {
    return a === b ? 0 : a === null ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
