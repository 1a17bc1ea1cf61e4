import { ArchiveRecordNotFoundError, ReplayJobNotHeldError } from './errors.js';
import {
  appendAuditStatement,
  claimJobStatement,
  createJobStatement,
  getJobStatement,
  listAuditStatement,
  listJobsStatement,
  toAuditEntry,
  toReplayJob,
  updateJobStatement,
} from './operations.js';
import { checkLimit, decodeCursor, iteratePages, keysetPage, type CursorKind } from './paging.js';
import {
  countStatement,
  getStatement,
  listAfterStatement,
  listStatement,
  markManyReplayedStatement,
  markReplayedStatement,
  replaysOfStatement,
  purgeStatement,
  statsStatements,
  type Statement,
} from './queries.js';
import { toArchivedRecord, toNumber } from './records.js';
import { checkId, checkPosition, checkTime } from './settings.js';
import { assembleStats } from './stats.js';
import type {
  ArchiveFilter,
  ArchiveInput,
  ArchivePage,
  ArchiveStats,
  ArchiveStore,
  ArchivedRecord,
  AuditEntry,
  AuditFilter,
  AuditInput,
  AuditPage,
  ReplayJob,
  ReplayJobInput,
  ReplayJobPage,
  ReplayJobState,
  ReplayJobUpdate,
} from './types.js';
import type { Dialect } from './query-builder.js';

export type Row = Record<string, unknown>;

/**
 * The operations both stores answer with the shared statements, written once: each checks its
 * input and builds its statement before the store is touched, so a bad argument fails the same
 * way on both. A store says only how a statement runs on it (the abstract methods), each run
 * named by its operation for the errors it raises.
 */
export abstract class SqlArchiveStore implements ArchiveStore {
  abstract readonly kind: 'sqlite' | 'postgres';

  protected constructor(
    private readonly dialect: Dialect,
    protected readonly now: () => number,
  ) {}

  abstract migrate(): Promise<void>;
  abstract insert(records: readonly ArchiveInput[]): Promise<number>;
  abstract close(): Promise<void>;

  /** Runs a query and resolves to what `shape` makes of its rows. */
  protected abstract read<T>(
    operation: string,
    statement: Statement,
    shape: (rows: Row[]) => T,
  ): Promise<T>;

  /** Runs a change and resolves to how many rows it changed. */
  protected abstract write(operation: string, statement: Statement): Promise<number>;

  /** Runs the queries in one read transaction, so they all see the same snapshot. */
  protected abstract readTogether<K extends string>(
    operation: string,
    statements: Readonly<Record<K, Statement>>,
  ): Promise<Record<K, Row[]>>;

  /**
   * In one write transaction: runs `first` and hands its rows to `check`, then runs `then`.
   * An error `check` throws rolls the transaction back, so nothing of it is kept.
   */
  protected abstract writeChecked<T>(
    operation: string,
    first: Statement,
    check: (rows: Row[]) => T,
    then: Statement | undefined,
  ): Promise<T>;

  async get(id: number): Promise<ArchivedRecord | undefined> {
    const statement = getStatement(this.dialect, checkId(id));
    return this.read('get', statement, (rows) => rows.map(toArchivedRecord).at(0));
  }

  async list(
    filter: ArchiveFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ArchivePage> {
    const { rows: records, nextCursor } = await this.#newestFirst(
      'list',
      page,
      'r',
      (beforeId, fetched) => listStatement(this.dialect, filter, fetched, beforeId),
      toArchivedRecord,
    );
    return { records, nextCursor };
  }

  iterate(filter: ArchiveFilter, chunkSize?: number): AsyncIterable<ArchivedRecord> {
    return iteratePages((f, page) => this.list(f, page), filter, chunkSize);
  }

  async stats(filter: ArchiveFilter, period: 'hour' | 'day'): Promise<ArchiveStats> {
    const statements = statsStatements(this.dialect, filter, period);
    // One snapshot for the four groupings, so their totals agree.
    return assembleStats(await this.readTogether('stats', statements));
  }

  async markReplayed(id: number, at: number): Promise<void> {
    const statement = markReplayedStatement(this.dialect, checkId(id), checkTime('at', at));
    if ((await this.write('markReplayed', statement)) === 0) {
      throw new ArchiveRecordNotFoundError(id);
    }
  }

  async purge(filter: ArchiveFilter): Promise<number> {
    return this.write('purge', purgeStatement(this.dialect, filter));
  }

  async count(filter: ArchiveFilter, throughId?: number): Promise<number> {
    const through = throughId === undefined ? undefined : checkPosition('throughId', throughId);
    const statement = countStatement(this.dialect, filter, through);
    return this.read('count', statement, (rows) => toNumber(rows[0]?.count));
  }

  async listAfter(
    filter: ArchiveFilter,
    position: { readonly afterId: number; readonly throughId?: number; readonly limit: number },
  ): Promise<readonly ArchivedRecord[]> {
    const statement = listAfterStatement(
      this.dialect,
      filter,
      {
        afterId: checkPosition('afterId', position.afterId),
        throughId:
          position.throughId === undefined
            ? undefined
            : checkPosition('throughId', position.throughId),
      },
      checkLimit('limit', position.limit),
    );
    return this.read('listAfter', statement, (rows) => rows.map(toArchivedRecord));
  }

  async listReplaysOf(id: number, limit: number): Promise<readonly ArchivedRecord[]> {
    const statement = replaysOfStatement(this.dialect, checkId(id), checkLimit('limit', limit));
    return this.read('listReplaysOf', statement, (rows) => rows.map(toArchivedRecord));
  }

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    const statement = appendAuditStatement(this.dialect, entry, this.now());
    return this.read('appendAudit', statement, (rows) => toAuditEntry(rows[0]!));
  }

  async listAudit(
    filter: AuditFilter,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<AuditPage> {
    const { rows: entries, nextCursor } = await this.#newestFirst(
      'listAudit',
      page,
      'a',
      (beforeId, fetched) => listAuditStatement(this.dialect, filter, beforeId, fetched),
      toAuditEntry,
    );
    return { entries, nextCursor };
  }

  async createReplayJob(job: ReplayJobInput, runner: string): Promise<ReplayJob> {
    const statement = createJobStatement(this.dialect, job, runner, this.now());
    return this.read('createReplayJob', statement, (rows) => toReplayJob(rows[0]!));
  }

  async getReplayJob(id: number): Promise<ReplayJob | undefined> {
    const statement = getJobStatement(this.dialect, id);
    return this.read('getReplayJob', statement, (rows) => rows.map(toReplayJob).at(0));
  }

  async listReplayJobs(
    filter: { readonly state?: ReplayJobState },
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ReplayJobPage> {
    const { rows: jobs, nextCursor } = await this.#newestFirst(
      'listReplayJobs',
      page,
      'j',
      (beforeId, fetched) => listJobsStatement(this.dialect, filter, beforeId, fetched),
      toReplayJob,
    );
    return { jobs, nextCursor };
  }

  async claimReplayJob(
    id: number,
    runner: string,
    staleBefore: number,
  ): Promise<ReplayJob | undefined> {
    const statement = claimJobStatement(this.dialect, id, runner, this.now(), staleBefore);
    return this.read('claimReplayJob', statement, (rows) => rows.map(toReplayJob).at(0));
  }

  async updateReplayJob(id: number, runner: string, update: ReplayJobUpdate): Promise<ReplayJob> {
    const now = this.now();
    const job = updateJobStatement(this.dialect, id, runner, update, now);
    const marks =
      update.replayedIds.length === 0
        ? undefined
        : markManyReplayedStatement(this.dialect, update.replayedIds, now);
    // The job row first: a run that no longer holds the job marks nothing, and on PostgreSQL the
    // row's lock orders two runs saving at once.
    return this.writeChecked(
      'updateReplayJob',
      job,
      ([row]) => {
        if (row === undefined) {
          throw new ReplayJobNotHeldError(id);
        }
        return toReplayJob(row);
      },
      marks,
    );
  }

  /**
   * A page newest first, after the cursor's id: one row past the limit is fetched, so the last
   * page is known without an empty extra one.
   */
  async #newestFirst<T extends { readonly id: number }>(
    operation: string,
    page: { readonly limit: number; readonly cursor?: string },
    kind: CursorKind,
    statement: (beforeId: number | undefined, fetched: number) => Statement,
    shape: (row: Row) => T,
  ): Promise<{ readonly rows: readonly T[]; readonly nextCursor: string | undefined }> {
    const limit = checkLimit('limit', page.limit);
    const beforeId = page.cursor === undefined ? undefined : decodeCursor(page.cursor, kind);
    const rows = await this.read(operation, statement(beforeId, limit + 1), (found) =>
      found.map(shape),
    );
    return keysetPage(rows, limit, kind);
  }
}
