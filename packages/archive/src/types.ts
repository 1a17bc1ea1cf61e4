/**
 * The archive's contract. Every store (SQLite, PostgreSQL) implements ArchiveStore and passes the
 * same test suite; the archiver service and the `ricochet dlq` commands only see this file.
 */
export type ArchiveStatus = 'archived' | 'replayed' | 'purged';

/** One dead-lettered record as the archiver hands it over. */
export interface ArchiveInput {
  /**
   * Where it sits in the dead-letter topic: unique, so a dead letter read again is stored once.
   * So is (retryGroup, originalTopic, originalPartition, originalOffset) when all four are set
   * and the reason is not `malformed-retry-headers`: a record dead-lettered twice by its group
   * (at two positions) is stored once.
   */
  readonly dlqTopic: string;
  readonly dlqPartition: number;
  readonly dlqOffset: string;
  readonly originalTopic: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  /** Epoch milliseconds. */
  readonly originalTimestamp: number | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Every header as it came, in order; a header sent twice appears twice. */
  readonly headers: readonly ArchivedHeader[];
  readonly tryCount: number | null;
  readonly retryGroup: string | null;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly errorStack: string | null;
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  readonly deadLetterReason: string | null;
  /** Text to search with --grep: the value as UTF-8 when it is text (or decoded for humans). */
  readonly searchableValue: string | null;
}

export interface ArchivedHeader {
  readonly name: string;
  readonly value: Buffer;
}

export interface ArchivedRecord extends ArchiveInput {
  /** Archive id: a positive integer, increasing in archive order. */
  readonly id: number;
  readonly archivedAt: number;
  readonly status: ArchiveStatus;
  readonly replayedAt: number | null;
  readonly replayCount: number;
}

/** Every field optional; given fields are ANDed. Values are bound as parameters, never spliced. */
export interface ArchiveFilter {
  readonly ids?: readonly number[];
  readonly originalTopic?: string;
  readonly retryGroup?: string;
  readonly errorClass?: string;
  /** Why it was dead-lettered: `retries-exhausted`, `non-retryable-error`, ... */
  readonly deadLetterReason?: string;
  /** Epoch ms, inclusive, on archivedAt. */
  readonly since?: number;
  /** Epoch ms, exclusive, on archivedAt. */
  readonly until?: number;
  /** Exact key match on the UTF-8 key. */
  readonly key?: string;
  /** Case-insensitive substring of the error message or the searchable value. */
  readonly grep?: string;
  readonly status?: ArchiveStatus;
}

export interface ArchivePage {
  readonly records: readonly ArchivedRecord[];
  /** Pass back as `cursor` for the next (older) page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

export interface ArchiveStats {
  readonly total: number;
  readonly byOriginalTopic: ReadonlyArray<{
    readonly originalTopic: string | null;
    readonly count: number;
  }>;
  readonly byErrorClass: ReadonlyArray<{
    readonly errorClass: string | null;
    readonly count: number;
  }>;
  /** Buckets of archivedAt, start of bucket as epoch ms. */
  readonly byPeriod: ReadonlyArray<{ readonly periodStart: number; readonly count: number }>;
}

export interface ArchiveStore {
  /** Which backend, for logs: `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending versioned migrations; safe to call at every start-up. */
  migrate(): Promise<void>;
  /**
   * Stores records atomically (all or none). A record already stored is skipped: same
   * dead-letter topic/partition/offset, or same retry group and original topic/partition/offset
   * (the same record dead-lettered twice). Resolves to the number newly stored.
   */
  insert(records: readonly ArchiveInput[]): Promise<number>;
  get(id: number): Promise<ArchivedRecord | undefined>;
  /** Newest first. */
  list(
    filter: ArchiveFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ArchivePage>;
  /** Every matching record, newest first, in chunks (for export, replay and purge by filter). */
  iterate(filter: ArchiveFilter, chunkSize?: number): AsyncIterable<ArchivedRecord>;
  stats(filter: ArchiveFilter, period: 'hour' | 'day'): Promise<ArchiveStats>;
  /** Sets status `replayed`, replayedAt = at, replayCount + 1. */
  markReplayed(id: number, at: number): Promise<void>;
  /** Sets status `purged` and drops key, value, headers and searchable value; returns how many. */
  purge(filter: ArchiveFilter): Promise<number>;
  close(): Promise<void>;
}
