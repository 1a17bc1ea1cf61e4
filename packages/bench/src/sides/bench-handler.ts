import { setTimeout as sleep } from 'node:timers/promises';
import type { ThroughputMeter } from '../statistics.js';

/**
 * The handler both consuming sides call. With no delay it counts the record and returns nothing,
 * so that neither side pays for a promise (the happy path measures the consumers, not the
 * handler); with a delay it awaits that long first, as a handler calling a slow service does.
 */
export function benchHandler(
  meter: ThroughputMeter,
  delayMilliseconds: number,
): () => void | Promise<void> {
  if (delayMilliseconds === 0) {
    return () => meter.record();
  }
  return async () => {
    await sleep(delayMilliseconds);
    meter.record();
  };
}
