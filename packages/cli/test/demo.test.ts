import { expect } from 'chai';
import { histogramQuantile, parsePrometheusText, total } from '../src/demo/prometheus-text.js';
import { renderSummary, summarize } from '../src/demo/summary.js';
import { demoOrder } from '../src/demo/traffic.js';
import { classify, handler } from '../src/demo/sample-handler.js';

const mainPage = `
# HELP ricochet_records_succeeded_total Records handled.
# TYPE ricochet_records_succeeded_total counter
ricochet_records_succeeded_total{topic="orders"} 90
ricochet_records_failed_total{topic="orders",error_class="TypeError"} 7
ricochet_records_failed_total{topic="orders",error_class="UpstreamTimeoutError"} 5
ricochet_records_sent_to_tier_total{tier="retry-2s"} 8
ricochet_records_sent_to_tier_total{tier="retry-5s"} 3
ricochet_records_dead_lettered_total{role="main",reason="non-retryable-error"} 2
`;

const latencyPage = `
ricochet_records_redelivered_total{tier="retry-2s",topic="orders"} 6
ricochet_redelivery_lateness_seconds_bucket{tier="retry-2s",le="0.01"} 2
ricochet_redelivery_lateness_seconds_bucket{tier="retry-2s",le="0.05"} 5
ricochet_redelivery_lateness_seconds_bucket{tier="retry-2s",le="0.1"} 6
ricochet_redelivery_lateness_seconds_bucket{tier="retry-2s",le="+Inf"} 6
`;

describe('demo: Prometheus text', () => {
  it('parses samples with labels, skipping comments', () => {
    const samples = parsePrometheusText(mainPage);
    expect(samples).to.have.length(6);
    expect(samples[1]).to.deep.equal({
      name: 'ricochet_records_failed_total',
      labels: { topic: 'orders', error_class: 'TypeError' },
      value: 7,
    });
    expect(total(samples, 'ricochet_records_failed_total')).to.equal(12);
    expect(total(samples, 'ricochet_records_sent_to_tier_total', { tier: 'retry-5s' })).to.equal(3);
  });

  it('estimates quantiles from cumulative buckets as histogram_quantile does', () => {
    const samples = parsePrometheusText(latencyPage);
    expect(histogramQuantile(samples, 'ricochet_redelivery_lateness_seconds', 0.5)).to.be.closeTo(
      0.0233,
      0.001,
    );
    expect(histogramQuantile(samples, 'ricochet_redelivery_lateness_seconds', 1)).to.equal(0.1);
    expect(histogramQuantile([], 'ricochet_redelivery_lateness_seconds', 0.5)).to.equal(undefined);
  });
});

describe('demo: summary', () => {
  it('counts what is waiting per tier and what was dead-lettered', () => {
    const summary = summarize({
      produced: 100,
      main: parsePrometheusText(mainPage),
      tiers: ['retry-2s', 'retry-5s'],
      delays: [parsePrometheusText(latencyPage), []],
      archiver: parsePrometheusText('ricochet_records_archived_total{store="sqlite"} 2'),
    });
    expect(summary).to.include({
      produced: 100,
      succeeded: 90,
      failed: 12,
      redelivered: 6,
      deadLettered: 2,
      archived: 2,
    });
    expect(summary.waiting).to.deep.equal([
      ['retry-2s', 2],
      ['retry-5s', 3],
    ]);
    // One process serving both tiers: the same figures.
    const together = summarize({
      produced: 100,
      main: parsePrometheusText(mainPage),
      tiers: ['retry-2s', 'retry-5s'],
      delays: [parsePrometheusText(latencyPage)],
      archiver: parsePrometheusText('ricochet_records_archived_total{store="sqlite"} 2'),
    });
    expect(together).to.deep.equal(summary);
    expect(renderSummary(summary)).to.match(
      /^in 100 \| succeeded 90 \| failed 12 \| retried 6 \| waiting retry-2s 2, retry-5s 3 \| dead-lettered 2 \(archived 2\) \| lateness p50 23 ms p99 \d+ ms$/,
    );
  });
});

describe('demo: traffic and sample handler', () => {
  it('mixes every kind of order, deterministically', () => {
    const kinds = new Map<string, number>();
    for (let id = 0; id < 1_000; id += 1) {
      const kind = demoOrder(id).kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).to.deep.equal({
      ok: 850,
      flaky: 100,
      poison: 20,
      invalid: 30,
    });
    expect(demoOrder(7)).to.deep.equal(demoOrder(7));
  });

  it('fails flaky orders until their try count, and marks invalid ones non-retryable', async () => {
    const value = (order: object) => Buffer.from(JSON.stringify(order));
    const flaky = value({ id: 1, kind: 'flaky', failures: 2 });
    await handler({ value: flaky, tryCount: 0 }).then(
      () => expect.fail('should fail'),
      (error: Error) => expect(error.name).to.equal('UpstreamTimeoutError'),
    );
    await handler({ value: flaky, tryCount: 2 });
    const invalid = await handler({
      value: value({ id: 2, kind: 'invalid', failures: 0 }),
      tryCount: 0,
    }).catch((error: unknown) => error);
    expect(classify(invalid)).to.equal('non-retryable');
    const poison = await handler({
      value: value({ id: 3, kind: 'poison', failures: 0 }),
      tryCount: 3,
    }).catch((error: unknown) => error);
    expect(classify(poison)).to.equal(undefined);
  });
});
