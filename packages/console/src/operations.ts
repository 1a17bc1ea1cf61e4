import {
  checkLimit,
  type AuditAction,
  type AuditFilter,
  type ReplayJobState,
} from '@ricochet/archive';
import { ConfigError, parseTimeBound } from '@ricochet/core';
import { operationsPageSize } from './defaults.js';
import { idsFromForm } from './query.js';

type Query = Readonly<Record<string, string | undefined>>;

const auditActions: readonly AuditAction[] = ['replay', 'purge'];
export const jobStates: readonly ReplayJobState[] = ['running', 'stopped', 'done', 'failed'];

const given = (text: string | undefined): string | undefined =>
  text === undefined || text.trim() === '' ? undefined : text.trim();

/** The Audit page's and the API's filters: action, actor, since (2h ago, or an ISO time). */
export function auditFilterFrom(query: Query, now: number): AuditFilter {
  const action = given(query.action);
  if (action !== undefined && !auditActions.includes(action as AuditAction)) {
    throw new ConfigError('action', `must be one of ${auditActions.join(', ')}`);
  }
  const actor = given(query.actor);
  const since = given(query.since);
  return {
    ...(action === undefined ? {} : { action: action as AuditAction }),
    ...(actor === undefined ? {} : { actor }),
    ...(since === undefined ? {} : { since: parseTimeBound(since, now, 'since') }),
  };
}

/** The Jobs page's and the API's filter: a state. */
export function jobFilterFrom(query: Query): { readonly state?: ReplayJobState } {
  const state = given(query.state);
  if (state !== undefined && !jobStates.includes(state as ReplayJobState)) {
    throw new ConfigError('state', `must be one of ${jobStates.join(', ')}`);
  }
  return state === undefined ? {} : { state: state as ReplayJobState };
}

/** A page of jobs or audit rows: limit and the store's cursor from the query. */
export function operationsPage(query: Query): { readonly limit: number; readonly cursor?: string } {
  const limit =
    given(query.limit) === undefined
      ? operationsPageSize
      : checkLimit('limit', Number(query.limit));
  const cursor = given(query.cursor);
  return cursor === undefined ? { limit } : { limit, cursor };
}

/** A job id from a path: a positive whole number, else ConfigError('id'). */
export function jobIdFrom(text: string): number {
  return idsFromForm(text)[0]!;
}
