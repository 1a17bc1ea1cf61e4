import { jsonText, writeLine, type CliIo } from '../../io.js';

/** How one kind of listing is written: as JSON `{ [key]: rows, nextCursor }`, or as a table. */
export interface PageView<T> {
  readonly key: string;
  readonly json: (row: T) => unknown;
  readonly table: (rows: readonly T[]) => string;
  /** Printed instead of an empty table. */
  readonly none: string;
}

/** Writes a page of a listing, with the cursor of the next page when there is one. */
export function writePage<T>(
  io: CliIo,
  json: boolean,
  page: { readonly rows: readonly T[]; readonly nextCursor: string | undefined },
  view: PageView<T>,
): void {
  if (json) {
    const body = { [view.key]: page.rows.map(view.json), nextCursor: page.nextCursor ?? null };
    writeLine(io.stdout, jsonText(body, 2));
  } else if (page.rows.length === 0) {
    writeLine(io.stdout, view.none);
  } else {
    writeLine(io.stdout, view.table(page.rows));
    if (page.nextCursor !== undefined) {
      writeLine(io.stdout, `more: --cursor ${page.nextCursor}`);
    }
  }
}

/** `{ limit, cursor }` from the page flags, the limit checked by `check`. */
export function pageFrom(
  argv: { limit: number; cursor?: string },
  check: (field: string, limit: number) => number,
): { readonly limit: number; readonly cursor?: string } {
  const limit = check('--limit', argv.limit);
  return argv.cursor === undefined ? { limit } : { limit, cursor: argv.cursor };
}
