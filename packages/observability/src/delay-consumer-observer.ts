import type { BatchConsumed, CommitFailed, PublishFailed } from '@ricochet/kafka';
import { consumerEventRecorder, requireRole } from './consumer-event-recorder.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * What the metrics read of a delay consumer's events, declared here so that this package needs
 * none of the services; its DelayConsumerEvent must stay assignable to this (wiring checks it).
 */
export type ObservedDelayConsumerEvent =
  | { readonly type: 'assigned'; readonly groupId: string; readonly partitions: readonly number[] }
  | { readonly type: 'held' }
  | {
      readonly type: 'redelivered';
      readonly topic: string;
      readonly latenessMilliseconds: number;
    }
  | { readonly type: 'dead-lettered'; readonly reason: string }
  | BatchConsumed
  | CommitFailed
  | PublishFailed;

export interface DelayConsumerObserver {
  /** The delay consumer's `onEvent` option. */
  readonly onEvent: (event: ObservedDelayConsumerEvent) => void;
  /** Reads the consumer's held partitions at each scrape, once it exists. */
  watch(consumer: { readonly heldPartitions: readonly number[] }): void;
}

/** `tier` is the tier topic the consumer serves (`retry-5s`): the value of the `tier` labels. */
export function delayConsumerObserver(
  metrics: ServiceMetrics,
  tier: string,
): DelayConsumerObserver {
  requireRole(metrics, 'delay', 'delayConsumerObserver');
  const recordConsumerEvent = consumerEventRecorder(metrics);
  metrics.recordsHeld.set({ tier }, 0);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'assigned':
          recordConsumerEvent({
            type: 'assigned',
            groupId: event.groupId,
            partitions: { [tier]: event.partitions },
          });
          return;
        case 'held':
          // The gauge reads the held partitions at scrape time (see watch).
          return;
        case 'redelivered':
          metrics.recordsRedelivered.inc({ tier, topic: event.topic });
          // due-at was stamped by the main consumer's clock: skew between hosts can make this
          // negative, and a histogram's sum must never decrease.
          metrics.redeliveryLateness.observe(
            { tier },
            Math.max(0, event.latenessMilliseconds) / 1000,
          );
          return;
        case 'dead-lettered':
          metrics.recordsDeadLettered.inc({ role: 'delay', reason: event.reason });
          return;
        case 'consumed':
        case 'commit-failed':
        case 'publish-failed':
          recordConsumerEvent(event);
          return;
      }
    },
    watch(consumer) {
      metrics.watchHeldPartitions(tier, () => consumer.heldPartitions.length);
    },
  };
}
