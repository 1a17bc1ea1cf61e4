import { RicochetError } from '@ricochet/core';

/**
 * The database did not answer or refused for a passing reason (down, unreachable, locked, out of
 * connections). Retriable: the archiver backs off and tries the same records again.
 */
export class ArchiveUnavailableError extends RicochetError {
  readonly backend: 'sqlite' | 'postgres';

  constructor(backend: 'sqlite' | 'postgres', operation: string, cause: unknown) {
    super(`the ${backend} archive is unavailable (${operation}): ${messageOf(cause)}`, {
      code: 'ARCHIVE_UNAVAILABLE',
      retriable: true,
      cause,
    });
    this.backend = backend;
  }
}

/** The database rejected an operation for a reason waiting will not fix. */
export class ArchiveStoreError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'ARCHIVE_STORE_FAILED', retriable: false, cause: options.cause });
  }
}

/** A record handed to `insert` cannot be stored as given; `field` names the bad field. */
export class ArchiveInputError extends RicochetError {
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`, { code: 'INVALID_ARCHIVE_INPUT', retriable: false });
    this.field = field;
  }
}

/**
 * The SQLite file the archive was opened on is no longer the file at its path: deleted, or
 * replaced by another file. Whatever is written now lands in a file nobody will read again, so
 * the store refuses every operation from then on. Not retriable: reopen the store (restart the
 * archiver), and the dead letters it did not commit are read and stored again.
 */
export class ArchiveFileReplacedError extends RicochetError {
  readonly path: string;

  constructor(path: string, problem: 'deleted' | 'replaced') {
    super(
      `the SQLite archive ${path} was ${problem} while open: nothing is stored or committed ` +
        'until the archiver is restarted on the file at that path',
      { code: 'ARCHIVE_FILE_REPLACED', retriable: false },
    );
    this.path = path;
  }
}

/**
 * A command that reads or updates the archive found none, or one older than this code: it never
 * creates nor migrates one. The archiver (`ricochet run dlq`) creates and migrates it at start.
 */
export class ArchiveSchemaError extends RicochetError {
  static readonly code = 'ARCHIVE_SCHEMA';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: ArchiveSchemaError.code, retriable: false, cause: options.cause });
  }
}

/** `markReplayed` named an id that is not in the archive, or whose record was purged. */
export class ArchiveRecordNotFoundError extends RicochetError {
  readonly id: number;

  constructor(id: number) {
    super(`no replayable archived record has id ${id}`, {
      code: 'ARCHIVE_RECORD_NOT_FOUND',
      retriable: false,
    });
    this.id = id;
  }
}

/**
 * A replay job's progress came from a run that no longer holds the job: another process took it
 * over (this one stalled past the job's lease), or it was stopped from elsewhere. Nothing of that
 * save was written; the run must stop.
 */
export class ReplayJobNotHeldError extends RicochetError {
  readonly jobId: number;

  constructor(jobId: number) {
    super(`replay job ${jobId} is no longer held by this run (taken over, or stopped elsewhere)`, {
      code: 'REPLAY_JOB_NOT_HELD',
      retriable: false,
    });
    this.jobId = jobId;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node's happy-eyeballs connect reports one error per address with an empty own message.
    return error.errors.map(messageOf).join('; ');
  }
  if (error instanceof Error) {
    return error.message === '' ? error.name : error.message;
  }
  return String(error);
}
