import type { ArchiveStore } from '@ricochet/archive';
import { parseDuration } from '@ricochet/core';
import { defaultOverviewWindow, overviewSampleSize } from './defaults.js';
import { topErrorMessages, type MessageGroup } from './insight.js';

/** One line of a chart: a name and its count in each period. */
export interface Series {
  readonly name: string;
  readonly counts: readonly number[];
}

export interface Overview {
  readonly window: string;
  readonly since: number;
  readonly period: 'hour' | 'day';
  readonly total: number;
  /** Start of each period, epoch ms, oldest first. */
  readonly periods: readonly number[];
  readonly byTopic: readonly Series[];
  readonly byErrorClass: readonly Series[];
  readonly byReason: readonly Series[];
  /** Messages of the newest `sampled` records of the window. */
  readonly topMessages: readonly MessageGroup[];
  readonly sampled: number;
}

/** Lines drawn per chart: the largest groups. */
const seriesPerChart = 6;

/** Counts per period of `stats`, aligned on `periods` (missing periods count 0). */
function aligned(
  periods: readonly number[],
  byPeriod: ReadonlyArray<{ readonly periodStart: number; readonly count: number }>,
): number[] {
  const counts = new Map(byPeriod.map((bucket) => [bucket.periodStart, bucket.count]));
  return periods.map((start) => counts.get(start) ?? 0);
}

/** Every period start from `since` to `now`, by the store's bucketing (UTC hours or days). */
function periodStarts(since: number, now: number, period: 'hour' | 'day'): number[] {
  const step = period === 'hour' ? 3_600_000 : 86_400_000;
  const starts: number[] = [];
  for (let start = Math.floor(since / step) * step; start <= now; start += step) {
    starts.push(start);
  }
  return starts;
}

/**
 * Dead letters of a window over time, by topic, by error class and by reason (grouped by the
 * store, one query per line drawn), and by normalised error message over its newest records.
 */
export async function overviewOf(
  store: ArchiveStore,
  window: string | undefined,
  now: number,
): Promise<Overview> {
  const chosen = window ?? defaultOverviewWindow;
  const since = now - parseDuration(chosen, 'window');
  const period = now - since <= 2 * 86_400_000 ? 'hour' : 'day';
  const stats = await store.stats({ since }, period);
  const periods = periodStarts(since, now, period);
  const series = async (
    groups: ReadonlyArray<{ readonly name: string | null; readonly count: number }>,
    filterOf: (name: string) => object,
  ): Promise<Series[]> => {
    // Records without a topic, class or reason cannot be filtered on; the total shows them.
    const top = groups
      .filter((group): group is { name: string; count: number } => group.name !== null)
      .slice(0, seriesPerChart);
    return Promise.all(
      top.map(async (group) => ({
        name: group.name,
        counts: aligned(
          periods,
          (await store.stats({ since, ...filterOf(group.name) }, period)).byPeriod,
        ),
      })),
    );
  };
  const sample: Array<{
    id: number;
    errorMessage: string | null;
  }> = [];
  for await (const record of store.iterate({ since })) {
    sample.push(record);
    if (sample.length >= overviewSampleSize) {
      break;
    }
  }
  return {
    window: chosen,
    since,
    period,
    total: stats.total,
    periods,
    byTopic: await series(
      stats.byOriginalTopic.map((group) => ({ name: group.originalTopic, count: group.count })),
      (name) => ({ originalTopic: name }),
    ),
    byErrorClass: await series(
      stats.byErrorClass.map((group) => ({ name: group.errorClass, count: group.count })),
      (name) => ({ errorClass: name }),
    ),
    byReason: await series(
      stats.byDeadLetterReason.map((group) => ({
        name: group.deadLetterReason,
        count: group.count,
      })),
      (name) => ({ deadLetterReason: name }),
    ),
    topMessages: topErrorMessages(sample, 10),
    sampled: sample.length,
  };
}
