import type { ConsumerEvent } from '@ricochet/kafka';
import { consumerEventRecorder, requireRole } from './consumer-event-recorder.js';
import type { ServiceMetrics } from './metrics.js';

/** The archiver's `onArchived` and `onEvent` options. */
export interface ArchiverObserver {
  readonly onArchived: (stored: number, duplicates: number) => void;
  readonly onEvent: (event: ConsumerEvent) => void;
}

/** `storeKind` is the archive store's kind (`sqlite`, `postgres`): the value of the `store` label. */
export function archiverObserver(metrics: ServiceMetrics, storeKind: string): ArchiverObserver {
  requireRole(metrics, 'dlq', 'archiverObserver');
  metrics.recordsArchived.inc({ store: storeKind }, 0);
  return {
    onArchived(stored) {
      // Duplicates were archived the first time they were read; counting them again would
      // inflate the total after every restart.
      metrics.recordsArchived.inc({ store: storeKind }, stored);
    },
    onEvent: consumerEventRecorder(metrics),
  };
}
