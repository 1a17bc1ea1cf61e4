import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

/**
 * Attempts at connecting an idempotent producer while a broker cannot be reached. kafkajs asks
 * one broker (KRaft names a random live one) for the producer id, and gives up at once if that
 * broker refuses the connection, as a broker that has just died does until the cluster fences
 * it (seconds): another attempt asks again, most likely another broker.
 */
const connectAttempts = 6;

const firstBackoffMilliseconds = 300;

/**
 * Whether the client gave up at once on a broker it could not reach: the producer-id request
 * does. A failure after the client's own retries (no broker reachable at all) comes wrapped in
 * KafkaJSNumberOfRetriesExceeded instead, and is not tried again here.
 */
export function isUnretriedUnreachableBroker(error: unknown): boolean {
  return error instanceof kafkajs.KafkaJSConnectionError;
}

/**
 * Runs `connect` until it succeeds, trying again (backing off, doubling) while the client gave up
 * at once on a broker it could not reach; any other failure, or the last attempt's, is thrown.
 * `disconnect` runs before each new attempt: the client keeps the metadata that named the
 * unreachable broker until it disconnects.
 */
export async function connectWhileBrokerUnreachable(
  connect: () => Promise<void>,
  disconnect: () => Promise<void>,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await connect();
      return;
    } catch (error) {
      if (attempt >= connectAttempts || !isUnretriedUnreachableBroker(error)) {
        throw error;
      }
      await disconnect();
      await sleep(firstBackoffMilliseconds * 2 ** (attempt - 1));
    }
  }
}
