import { checkLimit, type ArchiveFilter, type ArchiveStore } from '@ricochet/archive';
import { defaultPageSize } from './defaults.js';

/**
 * How many records match a filter: one COUNT, index-only for the usual filters (migration 4).
 * The stats it was read from grouped every match three ways, 1 s and more over a million records.
 */
export async function countRecords(store: ArchiveStore, filter: ArchiveFilter): Promise<number> {
  return store.count(filter);
}

/** A page size from a query parameter: the default when absent, ConfigError('limit') when bad. */
export function pageLimit(text: string | undefined): number {
  return text === undefined || text === '' ? defaultPageSize : checkLimit('limit', Number(text));
}
