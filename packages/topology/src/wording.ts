import { formatDuration } from '@ricochet/core';
import type { TopologyChange } from './changes.js';
import type { TopicDifference } from './drift.js';
import { minimumConfigs, TopicConfig } from './plan.js';

/** One line a person can act on, e.g. `retry-5s: 1 partition, plan says 3`. */
export function describeDifference(difference: TopicDifference): string {
  const topic = difference.topic;
  switch (difference.kind) {
    case 'missing':
      return `${topic}: does not exist`;
    case 'too-few-partitions':
      return `${topic}: ${count(difference.actual, 'partition')}, plan says ${difference.planned}`;
    case 'too-many-partitions':
      return `${topic}: ${count(difference.actual, 'partition')}, plan says ${difference.planned} (Kafka cannot remove partitions, so Ricochet never shrinks a topic)`;
    case 'replication-factor':
      return `${topic}: replication factor ${difference.actual}, plan says ${difference.planned} (this tool cannot change it; reassign replicas with kafka-reassign-partitions)`;
    case 'config': {
      const atLeast = minimumConfigs.has(difference.config) ? 'at least ' : '';
      return `${topic}: ${difference.config} is ${configValue(difference.config, difference.actual)}, plan says ${atLeast}${configValue(difference.config, difference.planned)}`;
    }
  }
}

/** One line saying what a change does (or would do, in a dry run). */
export function describeChange(change: TopologyChange): string {
  switch (change.kind) {
    case 'create-topic': {
      const spec = change.topic;
      const shape = `${count(spec.partitions, 'partition')}, replication factor ${spec.replicationFactor}`;
      const configs = Object.entries(spec.configs).map(
        ([config, value]) => `${config}=${configValue(config, value)}`,
      );
      return `create ${spec.name} (${[shape, ...configs].join(', ')})`;
    }
    case 'add-partitions':
      return `grow ${change.topic} from ${count(change.from, 'partition')} to ${change.to}`;
    case 'set-configs': {
      const configs = Object.entries(change.configs)
        .map(([config, value]) => `${config}=${configValue(config, value)}`)
        .join(', ');
      const resets =
        change.resets.length === 0 ? '' : `; reset ${change.resets.join(', ')} to the default`;
      return `set ${change.topic} configs ${configs}${resets}`;
    }
  }
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

/** Retention reads better as `7d` than as `604800000`; both are shown so neither is guessed. */
function configValue(config: string, value: string | undefined): string {
  if (value === undefined) {
    return '(not reported)';
  }
  const milliseconds = Number(value);
  if (config === TopicConfig.retention && Number.isSafeInteger(milliseconds) && milliseconds > 0) {
    return `${value} (${formatDuration(milliseconds)})`;
  }
  return value;
}
