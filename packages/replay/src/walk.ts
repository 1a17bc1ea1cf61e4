import type { ArchiveFilter, ArchivedRecord, ArchiveStore } from '@ricochet/archive';

/** One stop of the walk: an archive id and its record, or undefined for a named id not there. */
export interface WalkItem {
  readonly id: number;
  readonly record: ArchivedRecord | undefined;
}

/** What a replay walks: a filter up to an id, or (target.ids) the ids named, in ascending order. */
export interface WalkScope {
  readonly target: ArchiveFilter;
  readonly throughId: number;
}

/** A selection's ids as a walk visits them: ascending, each once. */
export function walkOrder(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * The records of a replay in chunks, ids ascending, from after `afterId`. A filter is walked up
 * to `throughId`; named ids are walked as named (each chunk one query), a missing one included
 * with no record, so that it is counted and the walk still moves past it.
 */
export async function* walkChunks(
  store: ArchiveStore,
  scope: WalkScope,
  afterId: number,
  chunkSize: number,
): AsyncGenerator<readonly WalkItem[]> {
  const { target } = scope;
  for (let after = afterId; ;) {
    let items: WalkItem[];
    if (target.ids === undefined) {
      const records = await store.listAfter(target, {
        afterId: after,
        throughId: scope.throughId,
        limit: chunkSize,
      });
      items = records.map((record) => ({ id: record.id, record }));
    } else {
      const ids = walkOrder(target.ids)
        .filter((id) => id > after)
        .slice(0, chunkSize);
      if (ids.length === 0) {
        return;
      }
      const records = await store.listAfter(
        { ...target, ids },
        { afterId: after, limit: chunkSize },
      );
      const byId = new Map(records.map((record) => [record.id, record]));
      items = ids.map((id) => ({ id, record: byId.get(id) }));
    }
    const last = items.at(-1);
    if (last === undefined) {
      return;
    }
    yield items;
    after = last.id;
  }
}
