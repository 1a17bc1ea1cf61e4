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
  /**
   * Like retryGroup, errorClass and deadLetterReason, indexed, so stored bounded: a text longer
   * than 600 bytes of UTF-8 is kept as its start and a marker with its length and SHA-256.
   */
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

/**
 * Every field optional; given fields are ANDed. Values are bound as parameters, never spliced.
 * A text field matches the whole text a record carried or the bounded form it is stored as.
 */
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
  readonly byDeadLetterReason: ReadonlyArray<{
    readonly deadLetterReason: string | null;
    readonly count: number;
  }>;
  /** Buckets of archivedAt, start of bucket as epoch ms. */
  readonly byPeriod: ReadonlyArray<{ readonly periodStart: number; readonly count: number }>;
}

/** Where an operation on the archive came from: the command line, the console's API or its pages. */
export type AuditOrigin = 'cli' | 'api' | 'ui';
/** What an audited operation did to the archive. */
export type AuditAction = 'replay' | 'purge';

/** One row of the audit: who did what to which records, and what came of it. */
export interface AuditInput {
  /** A person or a service account; the CLI uses --actor, else the OS user name. */
  readonly actor: string;
  readonly origin: AuditOrigin;
  readonly action: AuditAction;
  /** The records acted on: a filter, or `{ ids }` for a selection. */
  readonly target: ArchiveFilter;
  /** What came of it: counts, or `{ error }`. Stored as JSON. */
  readonly outcome: Readonly<Record<string, unknown>>;
  /** The replay job the row reports a run of; null for a purge. */
  readonly jobId: number | null;
}

export interface AuditEntry extends AuditInput {
  readonly id: number;
  /** Epoch ms, stamped by the store. */
  readonly at: number;
}

export interface AuditFilter {
  readonly action?: AuditAction;
  readonly actor?: string;
  /** Epoch ms, inclusive, on `at`. */
  readonly since?: number;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Pass back as `cursor` for the next (older) page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/**
 * `running`: a process is replaying it, or died doing so (see ReplayJob.updatedAt); `stopped`:
 * asked to stop, resumable; `done`: every record visited; `failed`: a publish or the store
 * failed, resumable.
 */
export type ReplayJobState = 'running' | 'stopped' | 'done' | 'failed';

export interface ReplayJobInput {
  readonly actor: string;
  readonly origin: AuditOrigin;
  /** The records to replay: a filter, or `{ ids }` for a selection. */
  readonly target: ArchiveFilter;
  /** At most this many records per second; null for no cap. */
  readonly ratePerSecond: number | null;
  /** The loop guard: a record already replayed this many times is refused unless `force`. */
  readonly maxReplays: number;
  readonly force: boolean;
  /** How many records the target matched when the job was created. */
  readonly total: number;
  /**
   * The newest archive id when the job was created: the job visits none above it, so records
   * archived meanwhile (its own replays failing again among them) are not part of it.
   */
  readonly throughId: number;
}

/** How far a job got. Counts are totals over every run of the job. */
export interface ReplayJobProgress {
  /** The last archive id visited: a resumed job goes on after it (ids ascending). */
  readonly cursor: number | null;
  readonly replayed: number;
  /** Refused by the loop guard. */
  readonly refused: number;
  /** Not replayable: purged, without an original topic, or (for ids) not in the archive. */
  readonly failed: number;
}

export interface ReplayJob extends ReplayJobInput, ReplayJobProgress {
  readonly id: number;
  readonly createdAt: number;
  /** Refreshed at every progress save: a `running` job not updated for long lost its process. */
  readonly updatedAt: number;
  readonly state: ReplayJobState;
  /** The run that holds the job; progress from any other run is refused. */
  readonly runner: string | null;
  /** Why the job failed, for `failed`. */
  readonly error: string | null;
}

/** A progress save: the records of it replayed, and where the job stands after them. */
export interface ReplayJobUpdate extends ReplayJobProgress {
  /** Archive ids published since the last save: marked replayed in the same transaction. */
  readonly replayedIds: readonly number[];
  readonly state: ReplayJobState;
  readonly error?: string;
}

export interface ReplayJobPage {
  readonly jobs: readonly ReplayJob[];
  readonly nextCursor: string | undefined;
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
  /** How many records match (with ids up to `throughId`, when given). */
  count(filter: ArchiveFilter, throughId?: number): Promise<number>;
  /**
   * Up to `limit` matching records with ids above `afterId` (and up to `throughId`), oldest
   * first: replay walks ids in this one order, so a job resumed after its last id goes on exactly
   * where it stopped.
   */
  listAfter(
    filter: ArchiveFilter,
    position: { readonly afterId: number; readonly throughId?: number; readonly limit: number },
  ): Promise<readonly ArchivedRecord[]>;
  /**
   * What became of a record's replays: the records archived after it that carry
   * `replayed-from: <id>` (its replays dead-lettered again), oldest first, at most `limit`.
   */
  listReplaysOf(id: number, limit: number): Promise<readonly ArchivedRecord[]>;
  /** Appends one audit row, stamped now; resolves to it. */
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(
    filter: AuditFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<AuditPage>;
  /** Creates a job in state `running`, held by `runner`, nothing visited yet. */
  createReplayJob(job: ReplayJobInput, runner: string): Promise<ReplayJob>;
  getReplayJob(id: number): Promise<ReplayJob | undefined>;
  /** Newest first. */
  listReplayJobs(
    filter: { readonly state?: ReplayJobState },
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ReplayJobPage>;
  /**
   * Hands a job to `runner` (state `running`) if it is `stopped` or `failed`, or `running` but
   * not updated since `staleBefore` (its process died). Resolves to the job, or undefined when
   * it is not the caller's to take (missing, done, or running elsewhere).
   */
  claimReplayJob(id: number, runner: string, staleBefore: number): Promise<ReplayJob | undefined>;
  /**
   * In one transaction: marks `replayedIds` replayed (as markReplayed) and saves the job's
   * progress and state. Fails with ReplayJobNotHeldError, changing nothing, if `runner` no
   * longer holds the job (taken over, or stopped from elsewhere).
   */
  updateReplayJob(id: number, runner: string, update: ReplayJobUpdate): Promise<ReplayJob>;
  close(): Promise<void>;
}
