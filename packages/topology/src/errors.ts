import { RicochetError } from '@ricochet/core';

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

/**
 * kafkajs reports per-topic failures (e.g. INVALID_REPLICATION_FACTOR) only inside an aggregate
 * whose own message is a bare "Topic creation errors"; lift them into the message people read.
 */
function detailsOf(cause: unknown): string {
  if (typeof cause !== 'object' || cause === null || !('errors' in cause)) {
    return '';
  }
  const errors = (cause as { errors: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return '';
  }
  const details = errors.map((error: unknown) => {
    const { topic, type, message } = (error ?? {}) as Record<string, unknown>;
    const reason = typeof type === 'string' ? type : String(message);
    return typeof topic === 'string' ? `${topic}: ${reason}` : reason;
  });
  return ` (${details.join('; ')})`;
}

function isRetriable(cause: unknown): boolean {
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause as { retriable?: unknown }).retriable === true
  );
}

/** Runs one cluster request, turning its failure into a TopologyOperationError naming `operation`. */
export async function attemptOperation<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new TopologyOperationError(operation, error);
  }
}
