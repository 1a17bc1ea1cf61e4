import pg from 'pg';
import { RicochetError } from '@ricochet/core';
import { ArchiveStoreError, ArchiveUnavailableError, messageOf } from './errors.js';

/**
 * SQLSTATEs worth waiting out: connection exceptions (08), insufficient resources (53),
 * shutdown / cannot connect now (57P01-03), serialization failure and deadlock (40001, 40P01),
 * lock not available (55P03), a statement cancelled by statement_timeout (57014: a lock held
 * too long, or a server too slow for now), system errors such as I/O (58).
 */
const transientStates = /^(08|53|57014|57P0[1-3]|40001|40P01|55P03|58)/;

/** Node's codes for a connection that could not be made or broke. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * The pg driver reports its own connection failures as plain Errors with only a message
 * ("Connection terminated unexpectedly", "timeout exceeded when trying to connect").
 */
const connectionMessages =
  /connection terminated|timeout exceeded|connection timeout|not queryable/i;

export function classifyPostgresError(error: unknown, operation: string): Error {
  if (error instanceof RicochetError) {
    return error;
  }
  if (error instanceof pg.DatabaseError) {
    if (transientStates.test(error.code ?? '')) {
      return new ArchiveUnavailableError('postgres', operation, error);
    }
    const state = error.code === undefined ? '' : ` (SQLSTATE ${error.code})`;
    return new ArchiveStoreError(
      `the postgres archive failed (${operation}): ${error.message}${state}`,
      { cause: error },
    );
  }
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : '';
  if (
    (typeof code === 'string' && connectionCodes.has(code)) ||
    connectionMessages.test(messageOf(error))
  ) {
    return new ArchiveUnavailableError('postgres', operation, error);
  }
  return new ArchiveStoreError(`the postgres archive failed (${operation}): ${messageOf(error)}`, {
    cause: error,
  });
}
