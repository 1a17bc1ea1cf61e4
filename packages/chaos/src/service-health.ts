import { isReady } from './http-probe.js';
import type { Supervisor } from './supervisor.js';
import { sleep } from './timing.js';

const pollMilliseconds = 500;

/**
 * Waits until every instance in service is running and ready (/readyz 200), for at most
 * `timeoutMilliseconds`; resolves to the names of those that were not by then.
 */
export async function waitUntilHealthy(
  supervisor: Supervisor,
  timeoutMilliseconds: number,
  signal: AbortSignal,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const unhealthy: string[] = [];
    for (const instance of supervisor.instances()) {
      if (!instance.running || !(await isReady(instance.spec.httpPort))) {
        unhealthy.push(instance.spec.name);
      }
    }
    if (unhealthy.length === 0 || Date.now() >= deadline) {
      return unhealthy;
    }
    await sleep(pollMilliseconds, signal);
  }
}
