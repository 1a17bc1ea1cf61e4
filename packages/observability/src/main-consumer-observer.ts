import type { ConsumerEvent } from '@ricochet/kafka';
import { consumerEventRecorder, requireRole } from './consumer-event-recorder.js';
import type { ServiceMetrics, WatchedInFlight } from './metrics.js';

/*
 * What the metrics read of the main consumer's outcomes and events, declared here so that this
 * package needs none of the services. The main consumer's own types (RecordOutcome,
 * MainConsumerEvent) must stay assignable to these: wiring the observer into its options checks
 * that, so a new outcome or event fails to compile until it is measured here.
 */

export type ObservedOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'skipped-other-group' }
  | { readonly kind: 'sent-to-tier'; readonly topic: string }
  | { readonly kind: 'dead-lettered'; readonly reason: string }
  /** Ordering key-strict: handed to the waiting topic; its handling is counted when drained. */
  | { readonly kind: 'waiting' };

export type ObservedMainConsumerEvent =
  | ConsumerEvent
  | {
      readonly type: 'handled';
      readonly topic: string;
      readonly durationSeconds: number;
      readonly errorClass: string | undefined;
    }
  /** A wait for a free slot under max-in-flight ended, after `seconds`. */
  | { readonly type: 'in-flight-blocked'; readonly seconds: number }
  /** Ordering key-strict: the owned partitions' blocked keys changed. */
  | {
      readonly type: 'key-strict';
      readonly blockedKeys: number;
      readonly waitingRecords: number;
      readonly oldestBlockedSince: number | undefined;
    }
  /** The dead-letter guard tripped (consumption paused) or resumed. */
  | { readonly type: 'dead-letter-guard'; readonly tripped: boolean };

export interface MainConsumerObserver {
  /** The main consumer's `onOutcome` option. */
  readonly onOutcome: (outcome: ObservedOutcome, record: { readonly topic: string }) => void;
  /** The main consumer's `onEvent` option. */
  readonly onEvent: (event: ObservedMainConsumerEvent) => void;
  /**
   * Reads the consumer's records in flight, per-partition gaps and dead-letter ratio at each
   * scrape, once it exists.
   */
  watch(consumer: WatchedInFlight): void;
}

export function mainConsumerObserver(metrics: ServiceMetrics): MainConsumerObserver {
  requireRole(metrics, 'main', 'mainConsumerObserver');
  const recordConsumerEvent = consumerEventRecorder(metrics);
  return {
    onOutcome(outcome, record) {
      switch (outcome.kind) {
        case 'succeeded':
          metrics.recordsSucceeded.inc({ topic: record.topic });
          return;
        case 'sent-to-tier':
          metrics.recordsSentToTier.inc({ tier: outcome.topic });
          return;
        case 'dead-lettered':
          metrics.recordsDeadLettered.inc({ role: 'main', reason: outcome.reason });
          return;
        case 'skipped-other-group':
          // Another group's retry: consumed (counted from the batch) but not this group's work.
          return;
        case 'waiting':
          // Counted in ricochet_main_waiting_records until drained; its handling counts then.
          return;
      }
    },
    onEvent(event) {
      switch (event.type) {
        case 'handled':
          metrics.handlerDuration.observe({ topic: event.topic }, event.durationSeconds);
          if (event.errorClass !== undefined) {
            metrics.recordsFailed.inc({ topic: event.topic, error_class: event.errorClass });
          }
          return;
        case 'in-flight-blocked':
          // A counter must never decrease: a clock step back would otherwise make prom-client throw.
          if (Number.isFinite(event.seconds) && event.seconds > 0) {
            metrics.mainInFlightBlocked.inc(event.seconds);
          }
          return;
        case 'key-strict':
          metrics.mainBlockedKeys.set(event.blockedKeys);
          metrics.mainWaitingRecords.set(event.waitingRecords);
          metrics.watchOldestBlockedSince(event.oldestBlockedSince);
          return;
        case 'dead-letter-guard':
          metrics.mainDeadLetterGuardTripped.set(event.tripped ? 1 : 0);
          if (event.tripped) {
            metrics.mainDeadLetterGuardTrips.inc();
          }
          return;
        default:
          recordConsumerEvent(event);
      }
    },
    watch(consumer) {
      metrics.watchInFlight(consumer);
    },
  };
}
