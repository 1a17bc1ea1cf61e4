import { checkLimit, type ArchiveFilter, type ArchiveStore } from '@ricochet/archive';
import { defaultPageSize } from './defaults.js';

/** How many records match a filter. */
export async function countRecords(store: ArchiveStore, filter: ArchiveFilter): Promise<number> {
  return (await store.stats(filter, 'day')).total;
}

/** A page size from a query parameter: the default when absent, ConfigError('limit') when bad. */
export function pageLimit(text: string | undefined): number {
  return text === undefined || text === '' ? defaultPageSize : checkLimit('limit', Number(text));
}
