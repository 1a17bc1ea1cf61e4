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
  /**
   * The topics each consumer group of the service was ever assigned (the main consumer's source
   * group and its redelivery reader's): a group's join speaks only for its own topics.
   */
  const groupTopics = new Map<string, Set<string>>();
  const forgetLagOutside = (
    groupId: string,
    assigned: Readonly<Record<string, readonly number[]>>,
  ): void => {
    const topics = groupTopics.get(groupId) ?? new Set<string>();
    groupTopics.set(groupId, topics);
    for (const topic of Object.keys(assigned)) {
      topics.add(topic);
    }
    for (const topic of topics) {
      const partitions = lagSeries.get(topic);
      const owned = new Set(assigned[topic] ?? []);
      for (const partition of partitions ?? []) {
        if (!owned.has(partition)) {
          metrics.consumerLag.remove({ role, topic, partition: String(partition) });
          partitions?.delete(partition);
        }
      }
    }
  };
  return (event) => {
    switch (event.type) {
      case 'assigned':
        metrics.rebalances.inc({ role, group: event.groupId });
        forgetLagOutside(event.groupId, event.partitions);
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
