/**
 * Versioned schema changes, SQL per backend. Append only: a released migration never changes,
 * because archives already carry its version in the schema-version table.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export const versionTable = 'ricochet_archive_schema_version';

export const versionTableSql = {
  sqlite:
    `CREATE TABLE IF NOT EXISTS ${versionTable} ` +
    '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
  postgres:
    `CREATE TABLE IF NOT EXISTS ${versionTable} ` +
    '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
} as const;

// Equality filters index (column, id): the list is newest first, so the index serves both the
// filter and the ORDER BY id DESC of a page.
const indexes = `
CREATE INDEX ricochet_archive_archived_at ON ricochet_archive_record (archived_at);
CREATE INDEX ricochet_archive_original_topic ON ricochet_archive_record (original_topic, id);
CREATE INDEX ricochet_archive_error_class ON ricochet_archive_record (error_class, id);
CREATE INDEX ricochet_archive_retry_group ON ricochet_archive_record (retry_group, id);
CREATE INDEX ricochet_archive_status ON ricochet_archive_record (status, id);
`;

const statusCheck = `CHECK (status IN ('archived', 'replayed', 'purged'))`;
const positionUnique =
  'CONSTRAINT ricochet_archive_dlq_position UNIQUE (dlq_topic, dlq_partition, dlq_offset)';

/**
 * A main consumer killed after its dead-letter publish was acknowledged but before its commit
 * publishes the record again when it is redelivered: the same record then sits at two
 * dead-letter offsets, and the position constraint alone would archive it twice. A dead letter
 * is the record at its original position as failed by one group, so that is unique as well.
 * Unique indexes treat NULLs as distinct on both backends, so dead letters without an original
 * position stay stored per dead-letter position. So do `malformed-retry-headers` dead letters:
 * their position headers cannot be trusted, and two different records claiming one position must
 * both be kept. Copies stored before this migration are removed first, keeping the earliest
 * archived one (lowest id), or the index could not be built.
 */
const trustedIdentity = `dead_letter_reason <> 'malformed-retry-headers'`;
const originalIdentity = `
DELETE FROM ricochet_archive_record WHERE id IN (
  SELECT later.id FROM ricochet_archive_record later
  JOIN ricochet_archive_record earlier
    ON earlier.retry_group = later.retry_group
   AND earlier.original_topic = later.original_topic
   AND earlier.original_partition = later.original_partition
   AND earlier.original_offset = later.original_offset
   AND earlier.id < later.id
  WHERE earlier.${trustedIdentity} AND later.${trustedIdentity}
);
CREATE UNIQUE INDEX ricochet_archive_original_identity
  ON ricochet_archive_record (retry_group, original_topic, original_partition, original_offset)
  WHERE ${trustedIdentity};
`;

/**
 * The audit (who replayed or purged what, and the outcome) and resumable replay jobs. Targets and
 * outcomes are JSON text, like headers: read back whole, never queried inside. Only the id
 * column and the integer types differ between the backends.
 */
function operationTables(types: {
  readonly id: string;
  readonly integer: string;
  readonly real: string;
  readonly tableOptions: string;
}): string {
  const { id, integer, real, tableOptions } = types;
  const origin = `origin TEXT NOT NULL CHECK (origin IN ('cli', 'api', 'ui'))`;
  return `
CREATE TABLE ricochet_archive_replay_job (
  id ${id},
  created_at ${integer} NOT NULL,
  updated_at ${integer} NOT NULL,
  actor TEXT NOT NULL,
  ${origin},
  target TEXT NOT NULL,
  rate_per_second ${real} CHECK (rate_per_second > 0),
  max_replays INTEGER NOT NULL CHECK (max_replays >= 0),
  force INTEGER NOT NULL CHECK (force IN (0, 1)),
  state TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'done', 'failed')),
  runner TEXT,
  cursor ${integer},
  replayed ${integer} NOT NULL DEFAULT 0,
  refused ${integer} NOT NULL DEFAULT 0,
  failed ${integer} NOT NULL DEFAULT 0,
  total ${integer} NOT NULL,
  through_id ${integer} NOT NULL,
  error TEXT
)${tableOptions};
CREATE TABLE ricochet_archive_audit (
  id ${id},
  at ${integer} NOT NULL,
  actor TEXT NOT NULL,
  ${origin},
  action TEXT NOT NULL CHECK (action IN ('replay', 'purge')),
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  job_id ${integer}
)${tableOptions};
CREATE INDEX ricochet_archive_audit_action ON ricochet_archive_audit (action, id);
CREATE INDEX ricochet_archive_audit_actor ON ricochet_archive_audit (actor, id);
CREATE INDEX ricochet_archive_replay_job_state ON ricochet_archive_replay_job (state, id);
`;
}

/**
 * What the console's Records page needs over a million records (`npm run bench -- --only
 * console`, docs/benchmarks.md). The reason filter pages newest first like the others. The count
 * shown beside every list scanned the table row by row once two filters were combined (a
 * topic, an error class and a reason: 0.6 s on SQLite, 0.25 to 0.5 s on PostgreSQL); one index
 * holding every equality filter and the archive time makes the count of any filter that names a
 * topic an index-only scan. A status within a time window (what was replayed last Tuesday)
 * scanned every record of the status (0.8 s on SQLite): (status, archived_at) serves it. A key is
 * looked up exactly; PostgreSQL indexes its hash, because a B-tree entry cannot exceed about
 * 2.7 kB and a key can be longer (the insert would fail).
 */
const consoleIndexes = (keyExpression: string): string => `
CREATE INDEX ricochet_archive_dead_letter_reason ON ricochet_archive_record (dead_letter_reason, id);
CREATE INDEX ricochet_archive_filters ON ricochet_archive_record
  (original_topic, error_class, dead_letter_reason, status, retry_group, archived_at);
CREATE INDEX ricochet_archive_status_time ON ricochet_archive_record (status, archived_at);
CREATE INDEX ricochet_archive_record_key ON ricochet_archive_record (${keyExpression}, id);
`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create the archive table',
    // STRICT: SQLite otherwise stores whatever type it is handed; AUTOINCREMENT: ids are never
    // reused, so an id printed once always names the same record.
    sqlite: `
CREATE TABLE ricochet_archive_record (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dlq_topic TEXT NOT NULL,
  dlq_partition INTEGER NOT NULL,
  dlq_offset INTEGER NOT NULL,
  original_topic TEXT,
  original_partition INTEGER,
  original_offset INTEGER,
  original_timestamp INTEGER,
  record_key BLOB,
  record_value BLOB,
  headers TEXT NOT NULL,
  try_count INTEGER,
  retry_group TEXT,
  error_class TEXT,
  error_message TEXT,
  error_stack TEXT,
  first_failure_at INTEGER,
  last_failure_at INTEGER,
  dead_letter_reason TEXT,
  searchable_value TEXT,
  archived_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'archived' ${statusCheck},
  replayed_at INTEGER,
  replay_count INTEGER NOT NULL DEFAULT 0,
  ${positionUnique}
) STRICT;
${indexes}`,
    postgres: `
CREATE TABLE ricochet_archive_record (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dlq_topic TEXT NOT NULL,
  dlq_partition INTEGER NOT NULL,
  dlq_offset BIGINT NOT NULL,
  original_topic TEXT,
  original_partition INTEGER,
  original_offset BIGINT,
  original_timestamp BIGINT,
  record_key BYTEA,
  record_value BYTEA,
  headers TEXT NOT NULL,
  try_count INTEGER,
  retry_group TEXT,
  error_class TEXT,
  error_message TEXT,
  error_stack TEXT,
  first_failure_at BIGINT,
  last_failure_at BIGINT,
  dead_letter_reason TEXT,
  searchable_value TEXT,
  archived_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'archived' ${statusCheck},
  replayed_at BIGINT,
  replay_count INTEGER NOT NULL DEFAULT 0,
  ${positionUnique}
);
${indexes}`,
  },
  {
    version: 2,
    name: 'store each original record once per group',
    sqlite: originalIdentity,
    postgres: originalIdentity,
  },
  {
    version: 3,
    name: 'audit replays and purges; resumable replay jobs',
    // STRICT and AUTOINCREMENT for the reasons of version 1: a job id printed once always
    // names the same job.
    sqlite: operationTables({
      id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
      integer: 'INTEGER',
      real: 'REAL',
      tableOptions: ' STRICT',
    }),
    postgres: operationTables({
      id: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
      integer: 'BIGINT',
      real: 'DOUBLE PRECISION',
      tableOptions: '',
    }),
  },
  {
    version: 4,
    name: 'indexes for the console: reason, combined filters, status by time, key',
    sqlite: consoleIndexes('record_key'),
    postgres: consoleIndexes('md5(record_key)'),
  },
];

/** The migrations not yet applied, oldest first. */
export function pendingMigrations(applied: ReadonlySet<number>): Migration[] {
  return migrations
    .filter((migration) => !applied.has(migration.version))
    .sort((a, b) => a.version - b.version);
}

/**
 * Why an archive whose newest applied migration is `applied` (undefined: no archive at all)
 * cannot be read by this code, or undefined when it can. A newer archive can: migrations only
 * add to the schema.
 */
export function schemaProblem(applied: number | undefined, where: string): string | undefined {
  const remedy =
    'start the archiver (ricochet run dlq) on this store once: it creates and migrates the archive';
  if (applied === undefined) {
    return `no archive at ${where} (check --store / RICOCHET_STORE); to create it, ${remedy}`;
  }
  const codeVersion = Math.max(...migrations.map((migration) => migration.version));
  if (applied < codeVersion) {
    return (
      `the archive at ${where} is at schema version ${applied}, older than this code's ` +
      `${codeVersion}; to migrate it, ${remedy}`
    );
  }
  return undefined;
}
