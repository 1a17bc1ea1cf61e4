import type { ArchiveFilter, ArchiveStore } from '@ricochet/archive';
import type { Logger } from '@ricochet/core';
import type { Principal } from './auth.js';
import { ConsoleRequestError } from './errors.js';

/** Where an action came from, as the audit records it. */
export type ActionOrigin = 'api' | 'ui';

/** What operators do to the archive from the console; each is logged with who did it. */
export interface ConsoleActions {
  /** Purges the records a filter (or `{ ids }`) names; resolves to how many. */
  purge(target: ArchiveFilter, principal: Principal, origin: ActionOrigin): Promise<number>;
}

/** An empty filter would purge (or replay) the whole archive: a selection or a filter is needed. */
export function checkTarget(target: ArchiveFilter): ArchiveFilter {
  if (Object.keys(target).length === 0) {
    throw new ConsoleRequestError(400, 'choose a filter or select records first');
  }
  return target;
}

export function createActions(store: ArchiveStore, logger: Logger): ConsoleActions {
  return {
    async purge(target, principal, origin) {
      const purged = await store.purge(checkTarget(target));
      logger.info('purged from the console', { actor: principal.actor, origin, target, purged });
      return purged;
    },
  };
}
