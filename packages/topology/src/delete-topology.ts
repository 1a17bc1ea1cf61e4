import type { KafkaAdmin } from '@ricochet/kafka';
import { existingTopics } from './cluster-reader.js';
import { deleteTopics } from './cluster-writer.js';
import type { CompiledTopologyOptions } from './options.js';
import { plannedTopicNames } from './plan.js';

export interface DeleteTopologyReport {
  readonly deleted: readonly string[];
  /** Named by the options but not on the cluster, so there was nothing to delete. */
  readonly absent: readonly string[];
}

/**
 * Deletes the tier topics, the dead-letter topic and the source topics the options name, with
 * every record in them. Asking for confirmation is the caller's job.
 */
export async function deleteTopology(
  admin: KafkaAdmin,
  options: CompiledTopologyOptions,
): Promise<DeleteTopologyReport> {
  const names = plannedTopicNames(options).map((topic) => topic.name);
  const existing = await existingTopics(admin, names);
  await deleteTopics(admin, existing);
  return { deleted: existing, absent: names.filter((name) => !existing.includes(name)) };
}
