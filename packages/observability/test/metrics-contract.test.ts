import { expect } from 'chai';
import { register as globalRegistry } from 'prom-client';
import { createMetrics } from '@ricochet/observability';
import {
  handlerDurationBucketsSeconds,
  latenessBucketsSeconds,
  metricCatalog,
} from '@ricochet/observability/internal';
import { contractMetrics } from './contract-table.js';

const sortedByName = <T extends { name: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

const isDefaultMetric = (name: string): boolean =>
  name.startsWith('ricochet_process_') || name.startsWith('ricochet_nodejs_');

describe('metrics against docs/operations-contract.md', () => {
  const documented = contractMetrics();

  it('reads the twenty-four metrics of the contract table', () => {
    expect(documented).to.have.length(24);
    expect(documented.every((metric) => metric.name.startsWith('ricochet_'))).to.equal(true);
  });

  it('defines exactly the documented names, types and labels', () => {
    const defined = Object.values(metricCatalog).map(({ name, type, labels }) => ({
      name,
      type,
      labels: [...labels],
    }));
    expect(sortedByName(defined)).to.deep.equal(sortedByName(documented));
  });

  it('registers each of them, with its type and labels, and nothing else but the defaults', async () => {
    const metrics = createMetrics({ role: 'delay' });
    for (const { name, type, labels } of documented) {
      const metric = metrics.registry.getSingleMetric(name);
      expect(metric, name).to.not.equal(undefined);
      expect((await metric!.get()).type, name).to.equal(type);
      // prom-client keeps the declared label names on the metric; its typings do not show them.
      const declared = (metric as unknown as { labelNames: readonly string[] }).labelNames;
      expect([...declared].sort(), name).to.deep.equal([...labels].sort());
    }
    const registered = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(registered.filter((name) => !isDefaultMetric(name)).sort()).to.deep.equal(
      documented.map((metric) => metric.name).sort(),
    );
  });

  it('adds the process and Node.js default metrics, prefixed ricochet_', async () => {
    const text = await createMetrics({ role: 'main' }).registry.metrics();
    expect(text).to.match(/^ricochet_process_cpu_user_seconds_total \d/m);
    expect(text).to.match(/^ricochet_nodejs_heap_size_total_bytes \d/m);
    expect(text).to.match(/^ricochet_nodejs_eventloop_lag_seconds \d/m);
  });

  it('uses the chosen histogram buckets: lateness 5 ms to 60 s, handler 1 ms to 30 s', async () => {
    const metrics = createMetrics({ role: 'main' });
    metrics.redeliveryLateness.observe({ tier: 'retry-5s' }, 0.02);
    metrics.handlerDuration.observe({ topic: 'orders' }, 0.02);
    const text = await metrics.registry.metrics();
    const bounds = (name: string): number[] =>
      [...text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"`, 'gm'))]
        .map((match) => match[1]!)
        .filter((bound) => bound !== '+Inf')
        .map(Number);
    expect(bounds('ricochet_redelivery_lateness_seconds')).to.deep.equal([
      ...latenessBucketsSeconds,
    ]);
    expect(bounds('ricochet_handler_duration_seconds')).to.deep.equal([
      ...handlerDurationBucketsSeconds,
    ]);
    expect(latenessBucketsSeconds[0]).to.equal(0.005);
    expect(latenessBucketsSeconds.at(-1)).to.equal(60);
    expect(handlerDurationBucketsSeconds[0]).to.equal(0.001);
    expect(handlerDurationBucketsSeconds.at(-1)).to.equal(30);
  });

  it('keeps each service in a registry of its own, never the global one', async () => {
    const main = createMetrics({ role: 'main' });
    const delay = createMetrics({ role: 'delay' });
    main.recordsSucceeded.inc({ topic: 'orders' });
    expect(await delay.registry.metrics()).to.not.contain('ricochet_records_succeeded_total{');
    expect(await main.registry.metrics()).to.contain(
      'ricochet_records_succeeded_total{topic="orders"} 1',
    );
    expect(globalRegistry.getSingleMetric('ricochet_records_succeeded_total')).to.equal(undefined);
  });
});
