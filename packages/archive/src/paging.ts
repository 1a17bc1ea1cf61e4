import { ConfigError } from '@ricochet/core';
import type { ArchiveFilter, ArchivePage, ArchivedRecord } from './types.js';

/**
 * A cursor is the last id of a page, versioned, marked with what it pages (records, audit rows,
 * jobs) and base64url-encoded: opaque to callers, so the paging scheme can change without
 * breaking a cursor someone saved (it would fail loudly), and a cursor of one list is refused by
 * another.
 */
export type CursorKind = 'r' | 'a' | 'j';

export function encodeCursor(id: number, kind: CursorKind = 'r'): string {
  return Buffer.from(`${kind}1:${id}`, 'utf8').toString('base64url');
}

/** The id a cursor continues after; ConfigError('cursor') for anything this archive did not issue. */
export function decodeCursor(cursor: string, kind: CursorKind = 'r'): number {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) {
    throw badCursor();
  }
  const match = /^([raj])1:([1-9][0-9]{0,15})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  const id = match?.[1] !== kind || match[2] === undefined ? NaN : Number(match[2]);
  // Re-encoding catches the many strings base64url decodes leniently to the same bytes.
  if (!Number.isSafeInteger(id) || encodeCursor(id, kind) !== cursor) {
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

/**
 * The first `limit` rows, of rows fetched one past it (records, audit rows, jobs), and the cursor
 * to the next page when there is one.
 */
export function keysetPage<T extends { readonly id: number }>(
  rows: readonly T[],
  limit: number,
  kind: CursorKind,
): { readonly rows: readonly T[]; readonly nextCursor: string | undefined } {
  if (rows.length <= limit) {
    return { rows, nextCursor: undefined };
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: last === undefined ? undefined : encodeCursor(last.id, kind) };
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
