import { ConfigError } from '@ricochet/core';
import type { ConsumerEvent } from '@ricochet/kafka';
import type { ServiceMetrics, ServiceRole } from './metrics.js';

/** Refuses metrics made for another role: their `role` label would misfile every series. */
export function requireRole(metrics: ServiceMetrics, role: ServiceRole, binding: string): void {
  if (metrics.role !== role) {
    throw new ConfigError(
      'metrics',
      `${binding} needs metrics created with role '${role}', not '${metrics.role}'`,
    );
  }
}

/**
 * Turns the events every consumer service shares into metric updates. A partition lost in a
 * rebalance drops its lag series: its last value would otherwise stay frozen on this instance
 * while the new owner reports the real one.
 */
export function consumerEventRecorder(metrics: ServiceMetrics): (event: ConsumerEvent) => void {
  const { role } = metrics;
  const lagSeries = new Map<string, Set<number>>();
  const forgetLagOutside = (assigned: Readonly<Record<string, readonly number[]>>): void => {
    for (const [topic, partitions] of lagSeries) {
      const owned = new Set(assigned[topic] ?? []);
      for (const partition of partitions) {
        if (!owned.has(partition)) {
          metrics.consumerLag.remove({ role, topic, partition: String(partition) });
          partitions.delete(partition);
        }
      }
    }
  };
  return (event) => {
    switch (event.type) {
      case 'assigned':
        metrics.rebalances.inc({ role, group: event.groupId });
        forgetLagOutside(event.partitions);
        return;
      case 'consumed': {
        const { topic, partition, records, lag } = event;
        if (records > 0) {
          metrics.recordsConsumed.inc({ role, topic }, records);
        }
        metrics.consumerLag.set({ role, topic, partition: String(partition) }, lag);
        const partitions = lagSeries.get(topic) ?? new Set<number>();
        lagSeries.set(topic, partitions.add(partition));
        return;
      }
      case 'commit-failed':
        metrics.commitFailures.inc({ role });
        return;
      case 'publish-failed':
        metrics.publishFailures.inc({ role });
        return;
    }
  };
}
