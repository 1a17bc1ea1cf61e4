import type pg from 'pg';
import { insertText } from './queries.js';
import { postgresDialect } from './query-builder.js';
import { insertParameters, payloadSize } from './records.js';
import type { ArchiveInput } from './types.js';

export type Queryable = pg.Pool | pg.PoolClient;

// 20 columns x 500 rows stays far below PostgreSQL's 65,535 parameters per statement; the byte
// bound keeps a batch of large values from becoming one enormous message.
const maxRowsPerStatement = 500;
const maxBytesPerStatement = 8 * 1024 * 1024;

/** A batch as multi-row INSERT chunks, each record validated only when its chunk is reached. */
export function* chunksOf(
  records: readonly ArchiveInput[],
  archivedAt: number,
): Generator<unknown[][]> {
  let rows: unknown[][] = [];
  let bytes = 0;
  for (const [index, record] of records.entries()) {
    rows.push(insertParameters(record, index, archivedAt, String));
    bytes += payloadSize(record);
    if (rows.length >= maxRowsPerStatement || bytes >= maxBytesPerStatement) {
      yield rows;
      rows = [];
      bytes = 0;
    }
  }
  if (rows.length > 0) {
    yield rows;
  }
}

/** Inserts one chunk, skipping rows already stored; resolves to how many were new. */
export async function insertRows(target: Queryable, rows: readonly unknown[][]): Promise<number> {
  const result = await target.query(insertText(postgresDialect, rows.length), rows.flat());
  return result.rowCount ?? 0;
}
