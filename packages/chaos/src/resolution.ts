import type { ArchiveStore } from '@ricochet/archive';
import type { Logger } from '@ricochet/core';
import { readArchive } from './archive-reader.js';
import type { Ledger } from './ledger.js';
import type { RecordPlan } from './record-plan.js';
import { sleep } from './timing.js';

export interface ResolutionWatch {
  readonly plans: readonly RecordPlan[];
  readonly ledger: Ledger;
  readonly archive: ArchiveStore;
  readonly timeoutMilliseconds: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

const pollMilliseconds = 2_000;
const reportEveryMilliseconds = 15_000;

/** Ids neither succeeded in the ledger nor present in the archive, right now. */
async function unresolvedIds(
  watch: Omit<ResolutionWatch, 'timeoutMilliseconds' | 'logger' | 'signal'>,
): Promise<string[]> {
  const succeeded = watch.ledger.succeededIds();
  const archived = new Set((await readArchive(watch.archive)).map((entry) => entry.recordId));
  return watch.plans
    .filter((plan) => !succeeded.has(plan.id) && !archived.has(plan.id))
    .map((plan) => plan.id);
}

/**
 * Waits until every record is resolved (succeeded or archived) or the timeout passes; resolves
 * to the ids still unresolved then (empty when all were).
 */
export async function waitUntilResolved(watch: ResolutionWatch): Promise<string[]> {
  const deadline = Date.now() + watch.timeoutMilliseconds;
  let lastReport = Date.now();
  for (;;) {
    const unresolved = await unresolvedIds(watch);
    if (unresolved.length === 0 || Date.now() >= deadline) {
      return unresolved;
    }
    if (Date.now() - lastReport >= reportEveryMilliseconds) {
      lastReport = Date.now();
      watch.logger.info(`waiting for ${unresolved.length} of ${watch.plans.length} records`, {
        first: unresolved.slice(0, 5),
      });
    }
    await sleep(pollMilliseconds, watch.signal);
  }
}
