import type { ConsumedBatch } from '@ricochet/kafka';

/** How often the group heartbeat is asked for while a batch waits on its partition's state. */
export const preparationHeartbeatMilliseconds = 1_000;

/**
 * A batch's partition state: `loaded` at once when the partition's state is loaded already (every
 * batch but a partition's first after a join: no timer set and cleared per batch), else `load`
 * run while asking for the group heartbeat.
 */
export function stateForBatch<T>(
  batch: Pick<ConsumedBatch, 'heartbeat'>,
  loaded: T | undefined,
  load: () => Promise<T>,
  intervalMilliseconds: number = preparationHeartbeatMilliseconds,
): T | Promise<T> {
  return loaded ?? whileHeartbeating(batch, load, intervalMilliseconds);
}

/**
 * Runs `work` (what a partition's first batch waits on: its committed state, its key-strict
 * state) while asking for the group heartbeat. The Kafka client sends none of its own while a
 * batch is in hand, so a load longer than the session timeout got the member evicted before it
 * handled a record, then the member that took the partitions over, in turn: the long key-strict
 * chaos run lost its last minute to that. A refused heartbeat (the group rebalances) is thrown
 * once `work` has settled, so that the batch ends and the member joins again.
 */
export async function whileHeartbeating<T>(
  batch: Pick<ConsumedBatch, 'heartbeat'>,
  work: () => Promise<T>,
  intervalMilliseconds: number = preparationHeartbeatMilliseconds,
): Promise<T> {
  let refused: { readonly error: unknown } | undefined;
  let asking = false;
  const timer = setInterval(() => {
    if (asking || refused !== undefined) {
      return;
    }
    asking = true;
    batch.heartbeat().then(
      () => {
        asking = false;
      },
      (error: unknown) => {
        asking = false;
        refused = { error };
      },
    );
  }, intervalMilliseconds);
  try {
    const result = await work();
    if (refused !== undefined) {
      throw refused.error;
    }
    return result;
  } finally {
    clearInterval(timer);
  }
}
