import type { ArchiveStore } from '@ricochet/archive';

/**
 * A store that behaves like `store` except for the methods in `overrides`: how tests make a
 * store fail or die at a chosen moment. It delegates rather than inherits because the real
 * stores keep their state in private fields.
 */
export function storeWith(store: ArchiveStore, overrides: Partial<ArchiveStore>): ArchiveStore {
  return {
    kind: store.kind,
    migrate: () => store.migrate(),
    insert: (records) => store.insert(records),
    get: (id) => store.get(id),
    list: (filter, page) => store.list(filter, page),
    iterate: (filter, chunkSize) => store.iterate(filter, chunkSize),
    stats: (filter, period) => store.stats(filter, period),
    markReplayed: (id, at) => store.markReplayed(id, at),
    purge: (filter) => store.purge(filter),
    count: (filter, throughId) => store.count(filter, throughId),
    listAfter: (filter, position) => store.listAfter(filter, position),
    listReplaysOf: (id, limit) => store.listReplaysOf(id, limit),
    appendAudit: (entry) => store.appendAudit(entry),
    listAudit: (filter, page) => store.listAudit(filter, page),
    createReplayJob: (job, runner) => store.createReplayJob(job, runner),
    getReplayJob: (id) => store.getReplayJob(id),
    listReplayJobs: (filter, page) => store.listReplayJobs(filter, page),
    claimReplayJob: (id, runner, staleBefore) => store.claimReplayJob(id, runner, staleBefore),
    updateReplayJob: (id, runner, update) => store.updateReplayJob(id, runner, update),
    close: () => store.close(),
    ...overrides,
  };
}
