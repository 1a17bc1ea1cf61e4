import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  handlerDurationBucketsSeconds,
  latenessBucketsSeconds,
  metricCatalog,
  type MetricDefinition,
} from './metric-catalog.js';

/** The three services, as `ricochet run <role>` names them; the value of every `role` label. */
export type ServiceRole = 'main' | 'delay' | 'dlq';

export const serviceRoles: readonly ServiceRole[] = ['main', 'delay', 'dlq'];

type LabelOf<TDefinition extends MetricDefinition> = TDefinition['labels'][number];
type Catalog = typeof metricCatalog;

/** One service's metrics, in a registry of its own. */
export interface ServiceMetrics {
  readonly role: ServiceRole;
  /** Private to this service, never prom-client's global one: several services share a process in tests. */
  readonly registry: Registry;
  readonly recordsConsumed: Counter<LabelOf<Catalog['recordsConsumed']>>;
  readonly recordsSucceeded: Counter<LabelOf<Catalog['recordsSucceeded']>>;
  readonly recordsFailed: Counter<LabelOf<Catalog['recordsFailed']>>;
  readonly recordsSentToTier: Counter<LabelOf<Catalog['recordsSentToTier']>>;
  readonly recordsDeadLettered: Counter<LabelOf<Catalog['recordsDeadLettered']>>;
  readonly recordsRedelivered: Counter<LabelOf<Catalog['recordsRedelivered']>>;
  readonly recordsArchived: Counter<LabelOf<Catalog['recordsArchived']>>;
  readonly recordsHeld: Gauge<LabelOf<Catalog['recordsHeld']>>;
  readonly redeliveryLateness: Histogram<LabelOf<Catalog['redeliveryLateness']>>;
  readonly handlerDuration: Histogram<LabelOf<Catalog['handlerDuration']>>;
  readonly commitFailures: Counter<LabelOf<Catalog['commitFailures']>>;
  readonly publishFailures: Counter<LabelOf<Catalog['publishFailures']>>;
  readonly rebalances: Counter<LabelOf<Catalog['rebalances']>>;
  readonly consumerLag: Gauge<LabelOf<Catalog['consumerLag']>>;
  /**
   * Reads a tier's held partitions at each scrape: holds end on timers, not on events, so the
   * count is taken from the consumer when asked for rather than tracked beside it.
   */
  watchHeldPartitions(tier: string, count: () => number): void;
  readonly secondsWithoutProgress: Gauge<LabelOf<Catalog['secondsWithoutProgress']>>;
  /**
   * Reads how long work has waited without progress at each scrape: a stall is the absence of
   * events, so it is read from the service when asked for.
   */
  watchProgress(secondsWithoutProgress: () => number): void;
  readonly mainInFlight: Gauge<LabelOf<Catalog['mainInFlight']>>;
  readonly mainPartitionGap: Gauge<LabelOf<Catalog['mainPartitionGap']>>;
  readonly mainInFlightBlocked: Counter<LabelOf<Catalog['mainInFlightBlocked']>>;
  readonly mainBlockedKeys: Gauge<LabelOf<Catalog['mainBlockedKeys']>>;
  readonly mainWaitingRecords: Gauge<LabelOf<Catalog['mainWaitingRecords']>>;
  readonly mainOldestBlockedKeyAge: Gauge<LabelOf<Catalog['mainOldestBlockedKeyAge']>>;
  /**
   * Ordering key-strict: since when (epoch ms) the longest-held key holds records back, or
   * undefined; the age gauge is computed from it at each scrape, as it grows with no event.
   */
  watchOldestBlockedSince(since: number | undefined): void;
  readonly mainDeadLetterGuardTripped: Gauge<LabelOf<Catalog['mainDeadLetterGuardTripped']>>;
  readonly mainDeadLetterGuardRatio: Gauge<LabelOf<Catalog['mainDeadLetterGuardRatio']>>;
  readonly mainDeadLetterGuardTrips: Counter<LabelOf<Catalog['mainDeadLetterGuardTrips']>>;
  /**
   * Reads the main consumer's records in hand and per-partition gaps at each scrape: both change
   * with every record, so they are read from the consumer when asked for rather than tracked
   * beside it. A partition no longer reported (revoked) loses its series.
   */
  watchInFlight(source: WatchedInFlight): void;
}

/** What the in-flight metrics read of the main consumer, declared here to need none of it. */
export interface WatchedInFlight {
  readonly inFlight: number;
  /** The dead-letter guard's ratio now: it moves with every outcome and as the window slides. */
  deadLetterRatio(): number;
  partitionGaps(): readonly {
    readonly topic: string;
    readonly partition: number;
    readonly doneBeyondCommitted: number;
  }[];
}

export interface MetricsOptions {
  readonly role: ServiceRole;
}

/** Every metric of the contract, and the process and Node.js default metrics, prefixed `ricochet_`. */
export function createMetrics(options: MetricsOptions): ServiceMetrics {
  const { role } = options;
  const registry = new Registry();
  const registers = [registry];
  const counter = <TDefinition extends MetricDefinition>(definition: TDefinition) =>
    new Counter<LabelOf<TDefinition>>({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labels,
      registers,
    });
  const heldPartitionCounts = new Map<string, () => number>();
  const recordsHeld = new Gauge<LabelOf<Catalog['recordsHeld']>>({
    name: metricCatalog.recordsHeld.name,
    help: metricCatalog.recordsHeld.help,
    labelNames: metricCatalog.recordsHeld.labels,
    registers,
    collect() {
      for (const [tier, count] of heldPartitionCounts) {
        this.set({ tier }, count());
      }
    },
  });
  let progressSource: (() => number) | undefined;
  const secondsWithoutProgress = new Gauge<LabelOf<Catalog['secondsWithoutProgress']>>({
    name: metricCatalog.secondsWithoutProgress.name,
    help: metricCatalog.secondsWithoutProgress.help,
    labelNames: metricCatalog.secondsWithoutProgress.labels,
    registers,
    collect() {
      if (progressSource !== undefined) {
        this.set({ role }, progressSource());
      }
    },
  });
  let inFlightSource: WatchedInFlight | undefined;
  const mainInFlight = new Gauge<LabelOf<Catalog['mainInFlight']>>({
    name: metricCatalog.mainInFlight.name,
    help: metricCatalog.mainInFlight.help,
    labelNames: metricCatalog.mainInFlight.labels,
    registers,
    collect() {
      if (inFlightSource !== undefined) {
        this.set(inFlightSource.inFlight);
      }
    },
  });
  const mainPartitionGap = new Gauge<LabelOf<Catalog['mainPartitionGap']>>({
    name: metricCatalog.mainPartitionGap.name,
    help: metricCatalog.mainPartitionGap.help,
    labelNames: metricCatalog.mainPartitionGap.labels,
    registers,
    collect() {
      if (inFlightSource !== undefined) {
        this.reset();
        for (const gap of inFlightSource.partitionGaps()) {
          this.set({ topic: gap.topic, partition: String(gap.partition) }, gap.doneBeyondCommitted);
        }
      }
    },
  });
  let oldestBlockedSince: number | undefined;
  const mainOldestBlockedKeyAge = new Gauge<LabelOf<Catalog['mainOldestBlockedKeyAge']>>({
    name: metricCatalog.mainOldestBlockedKeyAge.name,
    help: metricCatalog.mainOldestBlockedKeyAge.help,
    labelNames: metricCatalog.mainOldestBlockedKeyAge.labels,
    registers,
    collect() {
      // Floored at 0: the entry's time may come from another host's clock.
      this.set(
        oldestBlockedSince === undefined
          ? 0
          : Math.max(0, (Date.now() - oldestBlockedSince) / 1000),
      );
    },
  });
  const mainDeadLetterGuardRatio = new Gauge<LabelOf<Catalog['mainDeadLetterGuardRatio']>>({
    name: metricCatalog.mainDeadLetterGuardRatio.name,
    help: metricCatalog.mainDeadLetterGuardRatio.help,
    labelNames: metricCatalog.mainDeadLetterGuardRatio.labels,
    registers,
    collect() {
      if (inFlightSource !== undefined) {
        this.set(inFlightSource.deadLetterRatio());
      }
    },
  });
  const gauge = <TDefinition extends MetricDefinition>(definition: TDefinition) =>
    new Gauge<LabelOf<TDefinition>>({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labels,
      registers,
    });
  const metrics: ServiceMetrics = {
    role,
    registry,
    recordsConsumed: counter(metricCatalog.recordsConsumed),
    recordsSucceeded: counter(metricCatalog.recordsSucceeded),
    recordsFailed: counter(metricCatalog.recordsFailed),
    recordsSentToTier: counter(metricCatalog.recordsSentToTier),
    recordsDeadLettered: counter(metricCatalog.recordsDeadLettered),
    recordsRedelivered: counter(metricCatalog.recordsRedelivered),
    recordsArchived: counter(metricCatalog.recordsArchived),
    recordsHeld,
    redeliveryLateness: new Histogram({
      name: metricCatalog.redeliveryLateness.name,
      help: metricCatalog.redeliveryLateness.help,
      labelNames: metricCatalog.redeliveryLateness.labels,
      buckets: [...latenessBucketsSeconds],
      registers,
    }),
    handlerDuration: new Histogram({
      name: metricCatalog.handlerDuration.name,
      help: metricCatalog.handlerDuration.help,
      labelNames: metricCatalog.handlerDuration.labels,
      buckets: [...handlerDurationBucketsSeconds],
      registers,
    }),
    commitFailures: counter(metricCatalog.commitFailures),
    publishFailures: counter(metricCatalog.publishFailures),
    rebalances: counter(metricCatalog.rebalances),
    consumerLag: new Gauge({
      name: metricCatalog.consumerLag.name,
      help: metricCatalog.consumerLag.help,
      labelNames: metricCatalog.consumerLag.labels,
      registers,
    }),
    watchHeldPartitions(tier, count) {
      heldPartitionCounts.set(tier, count);
    },
    secondsWithoutProgress,
    watchProgress(source) {
      progressSource = source;
    },
    mainInFlight,
    mainPartitionGap,
    mainInFlightBlocked: counter(metricCatalog.mainInFlightBlocked),
    mainBlockedKeys: gauge(metricCatalog.mainBlockedKeys),
    mainWaitingRecords: gauge(metricCatalog.mainWaitingRecords),
    mainOldestBlockedKeyAge,
    watchOldestBlockedSince(since) {
      oldestBlockedSince = since;
    },
    mainDeadLetterGuardTripped: gauge(metricCatalog.mainDeadLetterGuardTripped),
    mainDeadLetterGuardRatio,
    mainDeadLetterGuardTrips: counter(metricCatalog.mainDeadLetterGuardTrips),
    watchInFlight(source) {
      inFlightSource = source;
    },
  };
  // Present from the start, so that rate() and absence alerts see a zero, not a missing series.
  metrics.commitFailures.inc({ role }, 0);
  if (role !== 'dlq') {
    metrics.publishFailures.inc({ role }, 0);
  }
  if (role === 'main') {
    metrics.mainInFlight.set(0);
    metrics.mainInFlightBlocked.inc(0);
    metrics.mainBlockedKeys.set(0);
    metrics.mainWaitingRecords.set(0);
    metrics.mainDeadLetterGuardTripped.set(0);
    metrics.mainDeadLetterGuardRatio.set(0);
    metrics.mainDeadLetterGuardTrips.inc(0);
  }
  collectDefaultMetrics({ register: registry, prefix: 'ricochet_' });
  return metrics;
}
