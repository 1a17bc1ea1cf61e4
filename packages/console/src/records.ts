import {
  checkLimit,
  type ArchivedRecord,
  type ArchiveFilter,
  type ArchiveStore,
} from '@ricochet/archive';
import { ConfigError } from '@ricochet/core';
import { defaultPageSize } from './defaults.js';
import { idsFromForm } from './query.js';

/** A page size from a query parameter: the default when absent, ConfigError('limit') when bad. */
export function pageLimit(text: string | undefined): number {
  return text === undefined || text === '' ? defaultPageSize : checkLimit('limit', Number(text));
}

/** Newest first (the store's opaque cursor), or oldest first (after an archive id). */
export type RecordOrder = 'newest' | 'oldest';

export interface RecordsPage {
  readonly order: RecordOrder;
  readonly records: readonly ArchivedRecord[];
  /** The query parameters of the next page, undefined on the last. */
  readonly next: Readonly<Record<string, string>> | undefined;
}

export function recordOrder(text: string | undefined): RecordOrder {
  if (text === undefined || text === '' || text === 'newest' || text === 'oldest') {
    return text === 'oldest' ? 'oldest' : 'newest';
  }
  throw new ConfigError('order', 'must be newest or oldest');
}

/**
 * One page of the records matching `filter`. Newest first pages with the store's cursor; oldest
 * first with `after`, the last id shown (the store's ascending walk, listAfter).
 */
export async function recordsPage(
  store: ArchiveStore,
  filter: ArchiveFilter,
  query: Readonly<Record<string, string | undefined>>,
): Promise<RecordsPage> {
  const order = recordOrder(query.order);
  const limit = pageLimit(query.limit);
  if (order === 'newest') {
    const cursor = query.cursor;
    const page = await store.list(
      filter,
      cursor === undefined || cursor === '' ? { limit } : { limit, cursor },
    );
    return {
      order,
      records: page.records,
      next: page.nextCursor === undefined ? undefined : { cursor: page.nextCursor },
    };
  }
  const after = query.after === undefined || query.after === '' ? 0 : idsFromForm(query.after)[0]!;
  // One past the page: the last page is known without an empty extra one.
  const rows = await store.listAfter(filter, { afterId: after, limit: limit + 1 });
  const records = rows.slice(0, limit);
  return {
    order,
    records,
    next: rows.length > limit ? { order, after: String(records.at(-1)!.id) } : undefined,
  };
}
