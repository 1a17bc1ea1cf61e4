import { ConfigError } from '@ricochet/core';
import type { ArchiveFilter, ArchivePage, ArchivedRecord } from './types.js';

/**
 * A cursor is the last id of a page, versioned and base64url-encoded: opaque to callers, so the
 * paging scheme can change without breaking a cursor someone saved (it would fail loudly).
 */
const cursorPrefix = 'r1:';
const cursorPattern = /^r1:([1-9][0-9]{0,15})$/;

export function encodeCursor(id: number): string {
  return Buffer.from(`${cursorPrefix}${id}`, 'utf8').toString('base64url');
}

/** The id a cursor continues after; ConfigError('cursor') for anything this archive did not issue. */
export function decodeCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) {
    throw badCursor();
  }
  const match = cursorPattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match?.[1] === undefined ? NaN : Number(match[1]);
  // Re-encoding catches the many strings base64url decodes leniently to the same bytes.
  if (!Number.isSafeInteger(id) || encodeCursor(id) !== cursor) {
    throw badCursor();
  }
  return id;
}

function badCursor(): ConfigError {
  return new ConfigError('cursor', 'not a cursor from this archive (pass back nextCursor as is)');
}

export const maxPageSize = 10_000;

export function checkLimit(field: string, limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw new ConfigError(field, `must be a whole number from 1 to ${maxPageSize}, got ${limit}`);
  }
  return limit;
}

/** Rows are fetched one past the limit, so the last page is known without an empty extra one. */
export function pageOf(records: readonly ArchivedRecord[], limit: number): ArchivePage {
  if (records.length <= limit) {
    return { records, nextCursor: undefined };
  }
  const page = records.slice(0, limit);
  const last = page.at(-1);
  return { records: page, nextCursor: last === undefined ? undefined : encodeCursor(last.id) };
}

export type ListPage = (
  filter: ArchiveFilter,
  page: { readonly limit: number; readonly cursor?: string },
) => Promise<ArchivePage>;

export const defaultChunkSize = 500;

/**
 * Pages through with the keyset cursor, so each chunk is one indexed query and records archived
 * meanwhile (newer ids) neither shift nor repeat what is still to come.
 */
export async function* iteratePages(
  list: ListPage,
  filter: ArchiveFilter,
  chunkSize: number = defaultChunkSize,
): AsyncGenerator<ArchivedRecord> {
  const limit = checkLimit('chunkSize', chunkSize);
  let cursor: string | undefined;
  do {
    const page = await list(filter, cursor === undefined ? { limit } : { limit, cursor });
    yield* page.records;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
