import { histogramQuantile, total, type Sample } from './prometheus-text.js';

/** What the demo read from each service's /metrics at one moment. */
export interface DemoSnapshot {
  readonly produced: number;
  readonly main: readonly Sample[];
  /** The tier topics, in ladder order. */
  readonly tiers: readonly string[];
  /** Each delay process's samples, whether it serves one tier or all of them. */
  readonly delays: readonly (readonly Sample[])[];
  readonly archiver: readonly Sample[];
}

export interface DemoSummary {
  readonly produced: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly redelivered: number;
  /** Sent to a tier and not yet redelivered from it, by tier. */
  readonly waiting: ReadonlyArray<readonly [tier: string, count: number]>;
  readonly deadLettered: number;
  readonly archived: number;
  readonly latenessP50Milliseconds: number | undefined;
  readonly latenessP99Milliseconds: number | undefined;
}

export function summarize(snapshot: DemoSnapshot): DemoSummary {
  const delaySamples = snapshot.delays.flat();
  // A delay's dead letters carry no tier label: the few it makes (malformed tier records) are
  // counted as still waiting here, and as dead-lettered below.
  const waiting = snapshot.tiers.map((tier) => {
    const sent = total(snapshot.main, 'ricochet_records_sent_to_tier_total', { tier });
    const left = total(delaySamples, 'ricochet_records_redelivered_total', { tier });
    return [tier, Math.max(0, sent - left)] as const;
  });
  const quantileMilliseconds = (quantile: number): number | undefined => {
    const seconds = histogramQuantile(
      delaySamples,
      'ricochet_redelivery_lateness_seconds',
      quantile,
    );
    return seconds === undefined ? undefined : Math.round(seconds * 1000);
  };
  return {
    produced: snapshot.produced,
    succeeded: total(snapshot.main, 'ricochet_records_succeeded_total'),
    failed: total(snapshot.main, 'ricochet_records_failed_total'),
    redelivered: total(delaySamples, 'ricochet_records_redelivered_total'),
    waiting,
    deadLettered:
      total(snapshot.main, 'ricochet_records_dead_lettered_total') +
      total(delaySamples, 'ricochet_records_dead_lettered_total'),
    archived: total(snapshot.archiver, 'ricochet_records_archived_total'),
    latenessP50Milliseconds: quantileMilliseconds(0.5),
    latenessP99Milliseconds: quantileMilliseconds(0.99),
  };
}

const milliseconds = (value: number | undefined): string =>
  value === undefined ? '-' : `${value} ms`;

/** One compact line, refreshed in place on a terminal. */
export function renderSummary(summary: DemoSummary): string {
  const waiting = summary.waiting.map(([tier, count]) => `${tier} ${count}`).join(', ');
  return (
    `in ${summary.produced} | succeeded ${summary.succeeded} | failed ${summary.failed} | ` +
    `retried ${summary.redelivered} | waiting ${waiting} | dead-lettered ${summary.deadLettered} ` +
    `(archived ${summary.archived}) | lateness p50 ${milliseconds(summary.latenessP50Milliseconds)} ` +
    `p99 ${milliseconds(summary.latenessP99Milliseconds)}`
  );
}
