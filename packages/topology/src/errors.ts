import { RicochetError } from '@ricochet/core';
import { TopicFailuresError } from '@ricochet/kafka';

/**
 * No broker in the list answered within the bounded connection attempts. Retriable: the address
 * may be right and the cluster merely down, but the caller decides whether to try again.
 */
export class ClusterUnreachableError extends RicochetError {
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], cause: unknown) {
    super(`no Kafka broker answered at ${brokers.join(', ')}`, {
      code: 'CLUSTER_UNREACHABLE',
      retriable: true,
      cause,
    });
    this.brokers = brokers;
  }
}

/** A request to the cluster failed while reading or changing topics; `operation` says which. */
export class TopologyOperationError extends RicochetError {
  readonly operation: string;

  constructor(operation: string, cause: unknown) {
    super(`${operation} failed${detailsOf(cause)}`, {
      code: 'TOPOLOGY_OPERATION_FAILED',
      retriable: isRetriable(cause),
      cause,
    });
    this.operation = operation;
  }
}

/** Per-topic refusals (e.g. INVALID_REPLICATION_FACTOR) go into the message people read. */
function detailsOf(cause: unknown): string {
  if (!(cause instanceof TopicFailuresError)) {
    return '';
  }
  const details = cause.failures.map(({ topic, reason }) =>
    topic === undefined ? reason : `${topic}: ${reason}`,
  );
  return ` (${details.join('; ')})`;
}

function isRetriable(cause: unknown): boolean {
  return cause instanceof RicochetError && cause.retriable;
}

/** Runs one cluster request, turning its failure into a TopologyOperationError naming `operation`. */
export async function attemptOperation<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new TopologyOperationError(operation, error);
  }
}
