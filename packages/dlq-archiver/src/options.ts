import {
  boundedIntegerOption,
  nonEmptyTextOption,
  positiveIntegerOption,
  type Logger,
} from '@ricochet/core';
import type { ArchiveStore } from '@ricochet/archive';
import {
  compileConnectionOptions,
  sessionTimeoutBounds,
  type ConsumerEvent,
  type KafkaConnectionOptions,
} from '@ricochet/kafka';

/** Text for `--grep` to search: a value rendered for people, or null when it is not text. */
export type SearchableText = (value: Buffer | null) => Promise<string | null>;

export interface DlqArchiverOptions {
  brokers: readonly string[];
  clientId?: string;
  ssl?: KafkaConnectionOptions['ssl'];
  sasl?: KafkaConnectionOptions['sasl'];
  /** How long to wait for a broker connection. Default 3000. */
  connectionTimeoutMilliseconds?: number;
  /** How long to wait for a broker's answer to a request. Default 30000. */
  requestTimeoutMilliseconds?: number;
  /** Default `dlq`. */
  dlqTopic?: string;
  /** Default `ricochet-dlq-archiver`. */
  groupId?: string;
  /** An open store; the archiver migrates it at start and never closes it. */
  store: ArchiveStore;
  searchableText: SearchableText;
  logger: Logger;
  sessionTimeoutMilliseconds?: number;
  /** First wait after a store failure; doubles up to `maxStoreBackoffMilliseconds`. Default 500. */
  initialStoreBackoffMilliseconds?: number;
  /** Default 30000. */
  maxStoreBackoffMilliseconds?: number;
  /**
   * An insert still unfinished after this long makes the archiver not ready (it cannot write, so
   * it commits nothing) until the insert succeeds. Default 2000.
   */
  storeStallMilliseconds?: number;
  /** Called after each stored batch with the number newly stored and skipped as duplicates. */
  onArchived?: (stored: number, duplicates: number) => void;
  /** Called synchronously for each consumer event (assignment, batch, refused commit); must not throw. */
  onEvent?: (event: ConsumerEvent) => void;
}

export interface CompiledDlqArchiverOptions {
  readonly connection: KafkaConnectionOptions;
  readonly dlqTopic: string;
  readonly groupId: string;
  readonly store: ArchiveStore;
  readonly searchableText: SearchableText;
  readonly logger: Logger;
  readonly sessionTimeoutMilliseconds: number;
  readonly initialStoreBackoffMilliseconds: number;
  readonly maxStoreBackoffMilliseconds: number;
  readonly storeStallMilliseconds: number;
  readonly onArchived: (stored: number, duplicates: number) => void;
  readonly onEvent: (event: ConsumerEvent) => void;
}

export function compileDlqArchiverOptions(options: DlqArchiverOptions): CompiledDlqArchiverOptions {
  const dlqTopic = nonEmptyTextOption('dlqTopic', options.dlqTopic ?? 'dlq');
  return {
    connection: compileConnectionOptions(options, 'ricochet-dlq-archiver'),
    dlqTopic,
    groupId: nonEmptyTextOption('groupId', options.groupId ?? 'ricochet-dlq-archiver'),
    store: options.store,
    searchableText: options.searchableText,
    logger: options.logger,
    sessionTimeoutMilliseconds: boundedIntegerOption(
      'sessionTimeoutMilliseconds',
      options.sessionTimeoutMilliseconds,
      30_000,
      sessionTimeoutBounds,
    ),
    initialStoreBackoffMilliseconds: positiveIntegerOption(
      'initialStoreBackoffMilliseconds',
      options.initialStoreBackoffMilliseconds,
      500,
    ),
    maxStoreBackoffMilliseconds: positiveIntegerOption(
      'maxStoreBackoffMilliseconds',
      options.maxStoreBackoffMilliseconds,
      30_000,
    ),
    storeStallMilliseconds: positiveIntegerOption(
      'storeStallMilliseconds',
      options.storeStallMilliseconds,
      2_000,
    ),
    onArchived: options.onArchived ?? (() => {}),
    onEvent: options.onEvent ?? (() => {}),
  };
}
