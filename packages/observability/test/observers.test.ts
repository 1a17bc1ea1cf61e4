import { expect } from 'chai';
import type { DelayConsumerOptions } from '@ricochet/delay-consumer';
import type { DlqArchiverOptions } from '@ricochet/dlq-archiver';
import type { MainConsumer, MainConsumerOptions } from '@ricochet/main-consumer';
import { ConfigError } from '@ricochet/core';
import {
  archiverObserver,
  createMetrics,
  delayConsumerObserver,
  mainConsumerObserver,
  type ServiceMetrics,
} from '@ricochet/observability';

/** The value of one series (a histogram's as `<name>_count`, `_sum`), or undefined if absent. */
async function valueOf(
  metrics: ServiceMetrics,
  name: string,
  labels: Record<string, string | number>,
): Promise<number | undefined> {
  const seriesName = (metricName: string, value: object): string =>
    (value as { metricName?: string }).metricName ?? metricName;
  const series = (await metrics.registry.getMetricsAsJSON())
    .flatMap((metric) =>
      metric.values.map((value) => ({ name: seriesName(metric.name, value), value })),
    )
    .find(
      (entry) =>
        entry.name === name &&
        Object.entries(labels).every(([key, expected]) => entry.value.labels[key] === expected),
    )?.value;
  return series?.value;
}

describe('observers: service events to metrics', () => {
  it('fit the services’ own option types', () => {
    // Compile-time checks (tsc -p tsconfig.test.json): a new outcome or event breaks these.
    const main: Pick<MainConsumerOptions, 'onOutcome' | 'onEvent'> = mainConsumerObserver(
      createMetrics({ role: 'main' }),
    );
    const delay: Pick<DelayConsumerOptions, 'onEvent'> = delayConsumerObserver(
      createMetrics({ role: 'delay' }),
      'retry-5s',
    );
    const archiver: Pick<DlqArchiverOptions, 'onArchived' | 'onEvent'> = archiverObserver(
      createMetrics({ role: 'dlq' }),
      'sqlite',
    );
    const mainObserver = mainConsumerObserver(createMetrics({ role: 'main' }));
    const watchesMain = (consumer: MainConsumer<unknown>) => mainObserver.watch(consumer);
    expect([main, delay, archiver].every((observer) => observer.onEvent !== undefined)).to.equal(
      true,
    );
    expect(watchesMain).to.be.a('function');
  });

  it('refuses metrics made for another role', () => {
    expect(() => mainConsumerObserver(createMetrics({ role: 'delay' }))).to.throw(
      ConfigError,
      "metrics: mainConsumerObserver needs metrics created with role 'main', not 'delay'",
    );
  });

  it('main: outcomes, handler calls, assignments, batches, refused commits and failed publishes', async () => {
    const metrics = createMetrics({ role: 'main' });
    const observer = mainConsumerObserver(metrics);
    const record = { topic: 'orders' };
    observer.onOutcome({ kind: 'succeeded' }, record);
    observer.onOutcome({ kind: 'sent-to-tier', topic: 'retry-5s' }, record);
    observer.onOutcome({ kind: 'dead-lettered', reason: 'non-retryable-error' }, record);
    observer.onOutcome({ kind: 'skipped-other-group' }, record);
    observer.onEvent({
      type: 'handled',
      topic: 'orders',
      durationSeconds: 0.2,
      errorClass: undefined,
    });
    observer.onEvent({
      type: 'handled',
      topic: 'orders',
      durationSeconds: 0.1,
      errorClass: 'TypeError',
    });
    observer.onEvent({ type: 'assigned', groupId: 'billing', partitions: { orders: [0, 1] } });
    observer.onEvent({ type: 'consumed', topic: 'orders', partition: 1, records: 4, lag: 7 });
    observer.onEvent({ type: 'commit-failed', topic: 'orders', partition: 1, error: new Error() });
    observer.onEvent({ type: 'publish-failed', error: new Error() });
    observer.onEvent({ type: 'publish-failed', error: new Error() });

    const value = (name: string, labels: Record<string, string>) => valueOf(metrics, name, labels);
    expect(await value('ricochet_records_succeeded_total', { topic: 'orders' })).to.equal(1);
    expect(await value('ricochet_records_sent_to_tier_total', { tier: 'retry-5s' })).to.equal(1);
    expect(
      await value('ricochet_records_dead_lettered_total', {
        role: 'main',
        reason: 'non-retryable-error',
      }),
    ).to.equal(1);
    expect(
      await value('ricochet_records_failed_total', { topic: 'orders', error_class: 'TypeError' }),
    ).to.equal(1);
    expect(await value('ricochet_handler_duration_seconds_count', { topic: 'orders' })).to.equal(2);
    expect(await value('ricochet_rebalances_total', { role: 'main', group: 'billing' })).to.equal(
      1,
    );
    expect(
      await value('ricochet_records_consumed_total', { role: 'main', topic: 'orders' }),
    ).to.equal(4);
    expect(
      await value('ricochet_consumer_lag', { role: 'main', topic: 'orders', partition: '1' }),
    ).to.equal(7);
    expect(await value('ricochet_commit_failures_total', { role: 'main' })).to.equal(1);
    expect(await value('ricochet_publish_failures_total', { role: 'main' })).to.equal(2);
  });

  it('drops the lag of a partition lost in a rebalance, keeps the others', async () => {
    const metrics = createMetrics({ role: 'main' });
    const { onEvent } = mainConsumerObserver(metrics);
    onEvent({ type: 'consumed', topic: 'orders', partition: 0, records: 1, lag: 3 });
    onEvent({ type: 'consumed', topic: 'orders', partition: 1, records: 1, lag: 5 });
    onEvent({ type: 'assigned', groupId: 'billing', partitions: { orders: [1] } });
    const lag = (partition: string) =>
      valueOf(metrics, 'ricochet_consumer_lag', { role: 'main', topic: 'orders', partition });
    expect(await lag('0')).to.equal(undefined);
    expect(await lag('1')).to.equal(5);
  });

  it("keeps the lag of another group's topics when one group rebalances (the main consumer's redelivery reader)", async () => {
    const metrics = createMetrics({ role: 'main' });
    const { onEvent } = mainConsumerObserver(metrics);
    const redelivery = 'ricochet.billing.redelivery';
    onEvent({ type: 'assigned', groupId: 'billing', partitions: { orders: [0, 1] } });
    onEvent({ type: 'assigned', groupId: redelivery, partitions: { [redelivery]: [0] } });
    onEvent({ type: 'consumed', topic: 'orders', partition: 0, records: 1, lag: 3 });
    onEvent({ type: 'consumed', topic: 'orders', partition: 1, records: 1, lag: 5 });
    onEvent({ type: 'consumed', topic: redelivery, partition: 0, records: 1, lag: 2 });
    const lag = (topic: string, partition: string) =>
      valueOf(metrics, 'ricochet_consumer_lag', { role: 'main', topic, partition });
    onEvent({ type: 'assigned', groupId: redelivery, partitions: { [redelivery]: [0] } });
    expect(await lag('orders', '0'), 'the source group did not rebalance').to.equal(3);
    expect(await lag('orders', '1')).to.equal(5);
    onEvent({ type: 'assigned', groupId: 'billing', partitions: { orders: [1] } });
    expect(await lag('orders', '0'), 'lost in the source group').to.equal(undefined);
    expect(await lag('orders', '1')).to.equal(5);
    expect(await lag(redelivery, '0'), 'the reader did not rebalance').to.equal(2);
    onEvent({ type: 'assigned', groupId: redelivery, partitions: {} });
    expect(await lag(redelivery, '0'), 'lost by the reader').to.equal(undefined);
    expect(await lag('orders', '1')).to.equal(5);
  });

  it('main: records in flight and per-partition gaps, read from the consumer at each scrape', async () => {
    const metrics = createMetrics({ role: 'main' });
    const observer = mainConsumerObserver(metrics);
    const gap = (topic: string, partition: string) =>
      valueOf(metrics, 'ricochet_main_partition_gap', { topic, partition });
    expect(await valueOf(metrics, 'ricochet_main_in_flight', {})).to.equal(0);

    const consumer = {
      inFlight: 12,
      gaps: [
        { topic: 'orders', partition: 0, doneBeyondCommitted: 5 },
        { topic: 'orders', partition: 3, doneBeyondCommitted: 0 },
        { topic: 'payments', partition: 0, doneBeyondCommitted: 40 },
      ],
      partitionGaps() {
        return this.gaps;
      },
      deadLetterRatio: () => 0,
    };
    observer.watch(consumer);
    expect(await valueOf(metrics, 'ricochet_main_in_flight', {})).to.equal(12);
    expect(await gap('orders', '0')).to.equal(5);
    expect(await gap('orders', '3')).to.equal(0);
    expect(await gap('payments', '0')).to.equal(40);

    // Partition 0 of orders revoked, the others moved on: its series goes, the rest follow.
    consumer.inFlight = 3;
    consumer.gaps = [
      { topic: 'orders', partition: 3, doneBeyondCommitted: 7 },
      { topic: 'payments', partition: 0, doneBeyondCommitted: 0 },
    ];
    expect(await valueOf(metrics, 'ricochet_main_in_flight', {})).to.equal(3);
    expect(await gap('orders', '0')).to.equal(undefined);
    expect(await gap('orders', '3')).to.equal(7);
    expect(await gap('payments', '0')).to.equal(0);
  });

  it('main: the dead-letter guard tripped and its trips from events, its ratio at each scrape', async () => {
    const metrics = createMetrics({ role: 'main' });
    const observer = mainConsumerObserver(metrics);
    const gauge = (name: string) => valueOf(metrics, name, {});
    expect(
      await gauge('ricochet_main_dead_letter_guard_tripped'),
      'present from the start',
    ).to.equal(0);
    expect(await gauge('ricochet_main_dead_letter_guard_ratio')).to.equal(0);
    expect(await gauge('ricochet_main_dead_letter_guard_trips_total')).to.equal(0);
    let ratio = 0.25;
    observer.watch({ inFlight: 0, partitionGaps: () => [], deadLetterRatio: () => ratio });
    expect(await gauge('ricochet_main_dead_letter_guard_ratio')).to.equal(0.25);
    ratio = 0.75;
    observer.onEvent({ type: 'dead-letter-guard', tripped: true });
    expect(await gauge('ricochet_main_dead_letter_guard_ratio')).to.equal(0.75);
    expect(await gauge('ricochet_main_dead_letter_guard_tripped')).to.equal(1);
    observer.onEvent({ type: 'dead-letter-guard', tripped: false });
    observer.onEvent({ type: 'dead-letter-guard', tripped: true });
    expect(await gauge('ricochet_main_dead_letter_guard_tripped')).to.equal(1);
    expect(await gauge('ricochet_main_dead_letter_guard_trips_total')).to.equal(2);
    observer.onEvent({ type: 'dead-letter-guard', tripped: false });
    expect(await gauge('ricochet_main_dead_letter_guard_tripped')).to.equal(0);
  });

  it('main: key-strict gauges from its events, the oldest blocked key aged at each scrape', async () => {
    const metrics = createMetrics({ role: 'main' });
    const { onEvent, onOutcome } = mainConsumerObserver(metrics);
    const gauge = (name: string) => valueOf(metrics, name, {});
    expect(await gauge('ricochet_main_blocked_keys'), 'present from the start').to.equal(0);
    expect(await gauge('ricochet_main_waiting_records')).to.equal(0);
    expect(await gauge('ricochet_main_oldest_blocked_key_age_seconds')).to.equal(0);
    onEvent({
      type: 'key-strict',
      blockedKeys: 3,
      waitingRecords: 17,
      oldestBlockedSince: Date.now() - 90_000,
    });
    expect(await gauge('ricochet_main_blocked_keys')).to.equal(3);
    expect(await gauge('ricochet_main_waiting_records')).to.equal(17);
    expect(await gauge('ricochet_main_oldest_blocked_key_age_seconds')).to.be.within(89, 95);
    // A clock ahead of this host's (another owner wrote the entry) does not make it negative.
    onEvent({
      type: 'key-strict',
      blockedKeys: 1,
      waitingRecords: 0,
      oldestBlockedSince: Date.now() + 60_000,
    });
    expect(await gauge('ricochet_main_oldest_blocked_key_age_seconds')).to.equal(0);
    onEvent({
      type: 'key-strict',
      blockedKeys: 0,
      waitingRecords: 0,
      oldestBlockedSince: undefined,
    });
    expect(await gauge('ricochet_main_blocked_keys')).to.equal(0);
    expect(await gauge('ricochet_main_oldest_blocked_key_age_seconds')).to.equal(0);
    // A record handed to the waiting topic is not counted as handled (yet).
    onOutcome({ kind: 'waiting' }, { topic: 'orders' });
    expect(
      await valueOf(metrics, 'ricochet_records_succeeded_total', { topic: 'orders' }),
    ).to.equal(undefined);
  });

  it('main: adds up the time blocked on max-in-flight, never going down', async () => {
    const metrics = createMetrics({ role: 'main' });
    const { onEvent } = mainConsumerObserver(metrics);
    const blocked = () => valueOf(metrics, 'ricochet_main_in_flight_blocked_seconds_total', {});
    expect(await blocked(), 'present from the start').to.equal(0);
    onEvent({ type: 'in-flight-blocked', seconds: 0.25 });
    onEvent({ type: 'in-flight-blocked', seconds: 1.5 });
    onEvent({ type: 'in-flight-blocked', seconds: -0.1 });
    onEvent({ type: 'in-flight-blocked', seconds: Number.NaN });
    onEvent({ type: 'in-flight-blocked', seconds: Number.POSITIVE_INFINITY });
    expect(await blocked()).to.be.closeTo(1.75, 1e-9);
  });

  it('delay: redeliveries, lateness (never below zero), dead letters and held partitions', async () => {
    const metrics = createMetrics({ role: 'delay' });
    const observer = delayConsumerObserver(metrics, 'retry-5s');
    const tier = { tier: 'retry-5s' };
    expect(await valueOf(metrics, 'ricochet_records_held', tier)).to.equal(0);
    const held = [0, 2];
    observer.watch({ heldPartitions: held });
    observer.onEvent({
      type: 'assigned',
      groupId: 'ricochet-delay-retry-5s',
      partitions: [0, 1, 2],
    });
    observer.onEvent({ type: 'held' });
    observer.onEvent({ type: 'redelivered', topic: 'orders', latenessMilliseconds: 40 });
    observer.onEvent({ type: 'redelivered', topic: 'orders', latenessMilliseconds: -15 });
    observer.onEvent({ type: 'dead-lettered', reason: 'unknown-original-topic' });
    observer.onEvent({ type: 'consumed', topic: 'retry-5s', partition: 2, records: 2, lag: 9 });

    expect(await valueOf(metrics, 'ricochet_records_held', tier)).to.equal(2);
    held.pop();
    expect(await valueOf(metrics, 'ricochet_records_held', tier)).to.equal(1);
    expect(
      await valueOf(metrics, 'ricochet_records_redelivered_total', { ...tier, topic: 'orders' }),
    ).to.equal(2);
    expect(await valueOf(metrics, 'ricochet_redelivery_lateness_seconds_count', tier)).to.equal(2);
    expect(await valueOf(metrics, 'ricochet_redelivery_lateness_seconds_sum', tier)).to.be.closeTo(
      0.04,
      1e-9,
    );
    expect(
      await valueOf(metrics, 'ricochet_records_dead_lettered_total', {
        role: 'delay',
        reason: 'unknown-original-topic',
      }),
    ).to.equal(1);
    expect(
      await valueOf(metrics, 'ricochet_rebalances_total', {
        role: 'delay',
        group: 'ricochet-delay-retry-5s',
      }),
    ).to.equal(1);
    expect(
      await valueOf(metrics, 'ricochet_consumer_lag', {
        role: 'delay',
        topic: 'retry-5s',
        partition: '2',
      }),
    ).to.equal(9);
  });

  it('archiver: counts what was newly stored, not the duplicates', async () => {
    const metrics = createMetrics({ role: 'dlq' });
    const observer = archiverObserver(metrics, 'postgres');
    expect(
      await valueOf(metrics, 'ricochet_records_archived_total', { store: 'postgres' }),
    ).to.equal(0);
    observer.onArchived(3, 2);
    observer.onEvent({ type: 'consumed', topic: 'dlq', partition: 0, records: 5, lag: 0 });
    expect(
      await valueOf(metrics, 'ricochet_records_archived_total', { store: 'postgres' }),
    ).to.equal(3);
    expect(
      await valueOf(metrics, 'ricochet_records_consumed_total', { role: 'dlq', topic: 'dlq' }),
    ).to.equal(5);
  });
});
