import type { Logger } from '@ricochet/core';
import type { ArchiveFilter, ArchiveStore, AuditOrigin } from './types.js';

/**
 * Purges what `target` names and appends the audit row saying who did, from where, and what came
 * of it, failure included: the CLI and the console purge through here. Resolves to how many were
 * purged; a failed purge rejects with its own error after its audit row is written (a failing
 * audit is logged beside it, not put in its place).
 */
export async function auditedPurge(
  store: ArchiveStore,
  target: ArchiveFilter,
  who: { readonly actor: string; readonly origin: AuditOrigin },
  logger: Logger,
): Promise<number> {
  const audit = (outcome: Record<string, unknown>) =>
    store.appendAudit({ ...who, action: 'purge', target, outcome, jobId: null });
  let purged: number;
  try {
    purged = await store.purge(target);
  } catch (error) {
    await audit({ error: error instanceof Error ? error.message : String(error) }).catch(
      (auditError: unknown) =>
        logger.error('could not audit the failed purge', { error: auditError }),
    );
    throw error;
  }
  await audit({ purged });
  logger.info('purged', { ...who, target, purged });
  return purged;
}
