import type { KafkaAdmin } from '@ricochet/kafka';
import {
  ClusterUnreachableError,
  withTopologyAdmin,
  type TopologyConnectionOptions,
} from '@ricochet/topology';
import { unreachableProblem } from '../../connection-options.js';
import { UsageError } from '../../exit-codes.js';

/**
 * Runs `use` with a connected admin. An unreachable cluster is the user's to fix (a wrong
 * address, a broker not started, credentials it refuses), so it becomes a UsageError naming the
 * address tried.
 */
export async function withClusterAdmin<T>(
  connection: TopologyConnectionOptions,
  use: (admin: KafkaAdmin) => Promise<T>,
): Promise<T> {
  try {
    return await withTopologyAdmin(connection, use);
  } catch (error) {
    if (error instanceof ClusterUnreachableError) {
      throw new UsageError(unreachableProblem(error.brokers), { cause: error.cause });
    }
    throw error;
  }
}
