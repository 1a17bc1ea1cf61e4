import { userInfo } from 'node:os';
import type { Argv } from 'yargs';
import { ConfigError, parseTimeBound, type Logger } from '@ricochet/core';
import {
  defaultStoreUrl,
  openArchiveStore,
  type ArchiveFilter,
  type ArchiveStatus,
  type ArchiveStore,
} from '@ricochet/archive';
import { createValueDescriber, type ValueDescriber } from '@ricochet/value-decoder';
import type { CliIo } from '../../io.js';
import { cliLogger } from '../../cli-logger.js';

export const archiveStatuses: readonly ArchiveStatus[] = ['archived', 'replayed', 'purged'];

export interface StoreArguments {
  store?: string;
  registry?: string;
  verbose: boolean;
}

export interface FilterArguments {
  topic?: string;
  group?: string;
  errorClass?: string;
  reason?: string;
  since?: string;
  until?: string;
  key?: string;
  grep?: string;
  status?: string;
}

export function withStoreArguments<T>(yargs: Argv<T>) {
  return yargs
    .option('store', {
      type: 'string',
      describe: `the archive: sqlite:<file> or postgres://... (default: $RICOCHET_STORE, else ${defaultStoreUrl})`,
    })
    .option('registry', {
      type: 'string',
      describe:
        'schema registry URL, to decode Confluent-framed values (default: $SCHEMA_REGISTRY_URL)',
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'log what the clients do, to standard error',
    });
}

export function withFilterArguments<T>(yargs: Argv<T>) {
  return (
    yargs
      .option('topic', { type: 'string', describe: 'original topic' })
      .option('group', { type: 'string', describe: 'consumer group whose handler failed' })
      .option('error-class', { type: 'string', describe: 'error class, e.g. TypeError' })
      // Free text rather than choices: an archive also holds reasons written by other versions.
      .option('reason', {
        type: 'string',
        describe: 'why it was dead-lettered, e.g. retries-exhausted, non-retryable-error',
      })
      .option('since', {
        type: 'string',
        describe: 'archived at or after: a duration ago (2h) or an ISO time',
      })
      .option('until', {
        type: 'string',
        describe: 'archived before: a duration ago or an ISO time',
      })
      .option('key', { type: 'string', describe: 'record key (exact, as UTF-8)' })
      .option('grep', {
        type: 'string',
        describe: 'text in the error message or the value (case-insensitive)',
      })
      .option('status', {
        type: 'string',
        choices: archiveStatuses,
        describe: 'archived, replayed or purged',
      })
  );
}

/** `--limit`, `--cursor` and `--json` of a paged listing; `shape` says what --json writes. */
export function withPageArguments<T>(yargs: Argv<T>, shape: string) {
  return yargs
    .option('limit', {
      type: 'number',
      default: 50,
      // Without it, a bare --limit silently meant the default.
      requiresArg: true,
      describe: 'rows per page',
    })
    .option('cursor', {
      type: 'string',
      requiresArg: true,
      describe: 'the next-page cursor a previous listing printed',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: `write JSON: ${shape}`,
    });
}

/** `--actor`: who the audit names for a replay or a purge. */
export function withActorArgument<T>(yargs: Argv<T>) {
  return yargs.option('actor', {
    type: 'string',
    requiresArg: true,
    describe: 'who the audit names as acting (default: the OS user name)',
  });
}

/** The audit's actor: --actor, else the OS user, else $USER (a container user without a name). */
export function actorFrom(argv: { actor?: string }, io: CliIo): string {
  if (argv.actor !== undefined) {
    return argv.actor;
  }
  try {
    return userInfo().username;
  } catch (error) {
    const fallback = io.environment.USER ?? io.environment.USERNAME;
    if (fallback === undefined || fallback === '') {
      throw new ConfigError('--actor', 'the OS user has no name here; pass --actor', {
        cause: error,
      });
    }
    return fallback;
  }
}

export function filterFrom(argv: FilterArguments, now: number): ArchiveFilter {
  return {
    ...(argv.topic === undefined ? {} : { originalTopic: argv.topic }),
    ...(argv.group === undefined ? {} : { retryGroup: argv.group }),
    ...(argv.errorClass === undefined ? {} : { errorClass: argv.errorClass }),
    ...(argv.reason === undefined ? {} : { deadLetterReason: argv.reason }),
    ...(argv.since === undefined ? {} : { since: parseTimeBound(argv.since, now, '--since') }),
    ...(argv.until === undefined ? {} : { until: parseTimeBound(argv.until, now, '--until') }),
    ...(argv.key === undefined ? {} : { key: argv.key }),
    ...(argv.grep === undefined ? {} : { grep: argv.grep }),
    ...(argv.status === undefined ? {} : { status: argv.status as ArchiveStatus }),
  };
}

export function isEmptyFilter(filter: ArchiveFilter): boolean {
  return Object.keys(filter).length === 0;
}

/**
 * Archive ids as typed: positive whole numbers in decimal digits, named in the error otherwise
 * (Number() alone would read 1e2 as 100 and 0x10 as 16).
 */
export function parseIds(texts: readonly (string | number)[]): number[] {
  return texts.map((text) => {
    const id = /^\d+$/.test(String(text)) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new ConfigError(
        'ID',
        `"${String(text)}" is not an archive id (a positive whole number)`,
      );
    }
    return id;
  });
}

export interface ArchiveSession {
  readonly store: ArchiveStore;
  readonly describer: ValueDescriber;
  readonly logger: Logger;
}

/**
 * Opens the archive the archiver made, never creating nor migrating it: a mistyped SQLite path
 * or a PostgreSQL schema the archiver never created is an error saying so, not an empty archive,
 * and a read-only database role can read. `read` opens an SQLite file read-only; `update`
 * (replay marks, purge) can write.
 */
export async function withArchive<T>(
  argv: StoreArguments,
  io: CliIo,
  access: 'read' | 'update',
  use: (session: ArchiveSession) => Promise<T>,
): Promise<T> {
  const logger = cliLogger(argv.verbose, io.stderr);
  const url = argv.store ?? io.environment.RICOCHET_STORE ?? defaultStoreUrl;
  const registryUrl = argv.registry ?? io.environment.SCHEMA_REGISTRY_URL;
  const store = await openArchiveStore(url, { logger, access });
  try {
    const describer = createValueDescriber({
      logger,
      ...(registryUrl === undefined ? {} : { registryUrl }),
    });
    return await use({ store, describer, logger });
  } finally {
    await store.close();
  }
}
