import { ConfigError } from '@ricochet/core';
import { storableText } from './codec.js';
import { ArchiveStoreError } from './errors.js';
import type { Statement } from './queries.js';
import {
  joinConditions,
  keysetConditions,
  Parameters,
  whereClause,
  type Dialect,
} from './query-builder.js';
import { toNumber } from './records.js';
import { checkId, checkTime } from './settings.js';
import type {
  ArchiveFilter,
  AuditAction,
  AuditEntry,
  AuditFilter,
  AuditInput,
  AuditOrigin,
  ReplayJob,
  ReplayJobInput,
  ReplayJobState,
  ReplayJobUpdate,
} from './types.js';

/**
 * The audit and replay-job tables (migration 3): statements, input checks and row mapping, shared
 * by both stores.
 */
export const auditTable = 'ricochet_archive_audit';
export const jobTable = 'ricochet_archive_replay_job';

const auditOrigins: readonly AuditOrigin[] = ['cli', 'api', 'ui'];
const auditActions: readonly AuditAction[] = ['replay', 'purge'];
const jobStates: readonly ReplayJobState[] = ['running', 'stopped', 'done', 'failed'];
const maxActorLength = 200;

const auditColumns = 'id, at, actor, origin, action, target, outcome, job_id';
const jobColumns =
  'id, created_at, updated_at, actor, origin, target, rate_per_second, max_replays, force, ' +
  'state, runner, cursor, replayed, refused, failed, total, through_id, error';

type Row = Record<string, unknown>;

function oneOf<T extends string>(field: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ConfigError(field, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value;
}

function actorText(actor: string): string {
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > maxActorLength) {
    throw new ConfigError(
      'actor',
      `must be a non-empty name of at most ${maxActorLength} characters`,
    );
  }
  return storableText(actor);
}

/** Builds SQL nobody runs: only to put a filter through the checks a query makes. */
const nullDialect: Dialect = {
  placeholder: () => '?',
  idIn: (placeholder) => placeholder,
  idList: (ids) => ids,
  lower: (expression) => expression,
  integer: (placeholder) => placeholder,
  contains: (expression) => expression,
  keyEquals: (placeholder) => placeholder,
};

/** A target as stored: checked the way a query would read it, so that a stored one always reads. */
function targetText(target: ArchiveFilter): string {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new ConfigError('target', 'must be a filter object');
  }
  whereClause(target, nullDialect, new Parameters(nullDialect));
  return JSON.stringify(target);
}

function count(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(field, `must be a whole number, 0 or more, got ${String(value)}`);
  }
  return value;
}

export function appendAuditStatement(dialect: Dialect, entry: AuditInput, at: number): Statement {
  if (typeof entry.outcome !== 'object' || entry.outcome === null) {
    throw new ConfigError('outcome', 'must be an object');
  }
  const parameters = new Parameters(dialect);
  const values = [
    checkTime('at', at),
    actorText(entry.actor),
    oneOf('origin', entry.origin, auditOrigins),
    oneOf('action', entry.action, auditActions),
    targetText(entry.target),
    JSON.stringify(entry.outcome),
    entry.jobId === null ? null : checkId(entry.jobId),
  ].map((value) => parameters.bind(value));
  return {
    text:
      `INSERT INTO ${auditTable} (at, actor, origin, action, target, outcome, job_id) ` +
      `VALUES (${values.join(', ')}) RETURNING ${auditColumns}`,
    values: parameters.values,
  };
}

export function listAuditStatement(
  dialect: Dialect,
  filter: AuditFilter,
  beforeId: number | undefined,
  limit: number,
): Statement {
  const parameters = new Parameters(dialect);
  const conditions: string[] = [];
  if (filter.action !== undefined) {
    conditions.push(`action = ${parameters.bind(oneOf('action', filter.action, auditActions))}`);
  }
  if (filter.actor !== undefined) {
    conditions.push(`actor = ${parameters.bind(actorText(filter.actor))}`);
  }
  if (filter.since !== undefined) {
    conditions.push(`at >= ${parameters.bind(checkTime('since', filter.since))}`);
  }
  return newestFirst(parameters, `SELECT ${auditColumns} FROM ${auditTable}`, conditions, {
    beforeId,
    limit,
  });
}

/** `select` narrowed by `conditions`, one page newest first. */
function newestFirst(
  parameters: Parameters,
  select: string,
  conditions: readonly string[],
  page: { readonly beforeId: number | undefined; readonly limit: number },
): Statement {
  const keyset = keysetConditions({ beforeId: page.beforeId }, parameters);
  const where = joinConditions([...conditions, ...keyset]);
  return {
    text: `${select} WHERE ${where} ORDER BY id DESC LIMIT ${parameters.bind(page.limit)}`,
    values: parameters.values,
  };
}

export function createJobStatement(
  dialect: Dialect,
  job: ReplayJobInput,
  runner: string,
  now: number,
): Statement {
  if (
    job.ratePerSecond !== null &&
    !(Number.isFinite(job.ratePerSecond) && job.ratePerSecond > 0)
  ) {
    throw new ConfigError(
      'ratePerSecond',
      `must be a positive number or null, got ${job.ratePerSecond}`,
    );
  }
  if (typeof job.force !== 'boolean') {
    throw new ConfigError('force', 'must be true or false');
  }
  const parameters = new Parameters(dialect);
  const values = [
    checkTime('createdAt', now),
    now,
    actorText(job.actor),
    oneOf('origin', job.origin, auditOrigins),
    targetText(job.target),
    job.ratePerSecond,
    count('maxReplays', job.maxReplays),
    job.force ? 1 : 0,
    'running',
    runner,
    count('total', job.total),
    count('throughId', job.throughId),
  ].map((value) => parameters.bind(value));
  return {
    text:
      `INSERT INTO ${jobTable} (created_at, updated_at, actor, origin, target, rate_per_second, ` +
      `max_replays, force, state, runner, total, through_id) VALUES (${values.join(', ')}) ` +
      `RETURNING ${jobColumns}`,
    values: parameters.values,
  };
}

export function getJobStatement(dialect: Dialect, id: number): Statement {
  const parameters = new Parameters(dialect);
  return {
    text: `SELECT ${jobColumns} FROM ${jobTable} WHERE id = ${parameters.bind(checkId(id))}`,
    values: parameters.values,
  };
}

export function listJobsStatement(
  dialect: Dialect,
  filter: { readonly state?: ReplayJobState },
  beforeId: number | undefined,
  limit: number,
): Statement {
  const parameters = new Parameters(dialect);
  const conditions =
    filter.state === undefined
      ? []
      : [`state = ${parameters.bind(oneOf('state', filter.state, jobStates))}`];
  return newestFirst(parameters, `SELECT ${jobColumns} FROM ${jobTable}`, conditions, {
    beforeId,
    limit,
  });
}

export function claimJobStatement(
  dialect: Dialect,
  id: number,
  runner: string,
  now: number,
  staleBefore: number,
): Statement {
  const parameters = new Parameters(dialect);
  const text =
    `UPDATE ${jobTable} SET state = 'running', runner = ${parameters.bind(runner)}, ` +
    `updated_at = ${parameters.bind(checkTime('now', now))}, error = NULL ` +
    `WHERE id = ${parameters.bind(checkId(id))} AND (state IN ('stopped', 'failed') OR ` +
    `(state = 'running' AND updated_at < ${parameters.bind(checkTime('staleBefore', staleBefore))})) ` +
    `RETURNING ${jobColumns}`;
  return { text, values: parameters.values };
}

/** The job's half of a progress save; matches no row unless `runner` still holds the job. */
export function updateJobStatement(
  dialect: Dialect,
  id: number,
  runner: string,
  update: ReplayJobUpdate,
  now: number,
): Statement {
  if (update.cursor !== null) {
    checkId(update.cursor);
  }
  const parameters = new Parameters(dialect);
  const set = (column: string, value: unknown): string => `${column} = ${parameters.bind(value)}`;
  const text =
    `UPDATE ${jobTable} SET ` +
    [
      set('updated_at', checkTime('now', now)),
      set('state', oneOf('state', update.state, jobStates)),
      set('cursor', update.cursor),
      set('replayed', count('replayed', update.replayed)),
      set('refused', count('refused', update.refused)),
      set('failed', count('failed', update.failed)),
      set('error', update.error === undefined ? null : storableText(update.error)),
    ].join(', ') +
    ` WHERE id = ${parameters.bind(checkId(id))} AND runner = ${parameters.bind(runner)} ` +
    `AND state = 'running' RETURNING ${jobColumns}`;
  return { text, values: parameters.values };
}

function json(column: string, value: unknown): Record<string, unknown> {
  const parsed: unknown = JSON.parse(String(value));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ArchiveStoreError(`stored ${column} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    id: toNumber(row.id),
    at: toNumber(row.at),
    actor: String(row.actor),
    origin: String(row.origin) as AuditOrigin,
    action: String(row.action) as AuditAction,
    target: json('target', row.target) as ArchiveFilter,
    outcome: json('outcome', row.outcome),
    jobId: row.job_id === null ? null : toNumber(row.job_id),
  };
}

export function toReplayJob(row: Row): ReplayJob {
  return {
    id: toNumber(row.id),
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
    actor: String(row.actor),
    origin: String(row.origin) as AuditOrigin,
    target: json('target', row.target) as ArchiveFilter,
    ratePerSecond: row.rate_per_second === null ? null : Number(row.rate_per_second),
    maxReplays: toNumber(row.max_replays),
    force: toNumber(row.force) === 1,
    state: String(row.state) as ReplayJobState,
    runner: row.runner === null ? null : String(row.runner),
    cursor: row.cursor === null ? null : toNumber(row.cursor),
    replayed: toNumber(row.replayed),
    refused: toNumber(row.refused),
    failed: toNumber(row.failed),
    total: toNumber(row.total),
    throughId: toNumber(row.through_id),
    error: row.error === null ? null : String(row.error),
  };
}
