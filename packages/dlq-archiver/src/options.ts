import {
  boundedIntegerOption,
  choiceOption,
  defaultDeadLetterTopic,
  nonEmptyTextOption,
  positiveIntegerOption,
  type Logger,
} from '@ricochet/core';
import type { ArchiveStore } from '@ricochet/archive';
import {
  compileConnectionOptions,
  defaultConsumerMaxWaitMilliseconds,
  defaultSessionTimeoutMilliseconds,
  sessionTimeoutBounds,
  type ConsumerEvent,
  type KafkaConnectionOptions,
  type ServiceConnectionOptions,
} from '@ricochet/kafka';
import {
  deadLetterFormats,
  defaultArchiverGroupId,
  defaultDeadLetterFormat,
  defaultInitialStoreBackoffMilliseconds,
  defaultMaxStoreBackoffMilliseconds,
  defaultStoreStallMilliseconds,
  type DeadLetterFormat,
} from './defaults.js';

/** Text for `--grep` to search: a value rendered for people, or null when it is not text. */
export type SearchableText = (value: Buffer | null) => Promise<string | null>;

export interface DlqArchiverOptions extends ServiceConnectionOptions {
  /** Default `dlq`. */
  dlqTopic?: string;
  /** Default `ricochet-dlq-archiver`. */
  groupId?: string;
  /** An open store; the archiver migrates it at start and never closes it. */
  store: ArchiveStore;
  searchableText: SearchableText;
  /**
   * Whose headers to read the archive's fields from: `ricochet`, `spring` (Spring Kafka's DLT
   * headers), `connect` (Kafka Connect's DLQ context headers) or `auto`, per record by the
   * headers it carries. Default `auto`.
   */
  format?: DeadLetterFormat;
  sessionTimeoutMilliseconds?: number;
  /**
   * How long the broker may hold a fetch open while there is nothing to read; a stop waits for
   * the fetch in flight. Default `defaultConsumerMaxWaitMilliseconds` (5000).
   */
  maxWaitMilliseconds?: number;
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
  readonly format: DeadLetterFormat;
  readonly logger: Logger;
  readonly sessionTimeoutMilliseconds: number;
  readonly maxWaitMilliseconds: number;
  readonly initialStoreBackoffMilliseconds: number;
  readonly maxStoreBackoffMilliseconds: number;
  readonly storeStallMilliseconds: number;
  readonly onArchived: (stored: number, duplicates: number) => void;
  readonly onEvent: (event: ConsumerEvent) => void;
}

export function compileDlqArchiverOptions(options: DlqArchiverOptions): CompiledDlqArchiverOptions {
  const dlqTopic = nonEmptyTextOption('dlqTopic', options.dlqTopic ?? defaultDeadLetterTopic);
  return {
    connection: compileConnectionOptions(options, defaultArchiverGroupId),
    dlqTopic,
    groupId: nonEmptyTextOption('groupId', options.groupId ?? defaultArchiverGroupId),
    store: options.store,
    searchableText: options.searchableText,
    format: choiceOption('format', options.format, deadLetterFormats, defaultDeadLetterFormat),
    logger: options.logger,
    sessionTimeoutMilliseconds: boundedIntegerOption(
      'sessionTimeoutMilliseconds',
      options.sessionTimeoutMilliseconds,
      defaultSessionTimeoutMilliseconds,
      sessionTimeoutBounds,
    ),
    maxWaitMilliseconds: positiveIntegerOption(
      'maxWaitMilliseconds',
      options.maxWaitMilliseconds,
      defaultConsumerMaxWaitMilliseconds,
    ),
    initialStoreBackoffMilliseconds: positiveIntegerOption(
      'initialStoreBackoffMilliseconds',
      options.initialStoreBackoffMilliseconds,
      defaultInitialStoreBackoffMilliseconds,
    ),
    maxStoreBackoffMilliseconds: positiveIntegerOption(
      'maxStoreBackoffMilliseconds',
      options.maxStoreBackoffMilliseconds,
      defaultMaxStoreBackoffMilliseconds,
    ),
    storeStallMilliseconds: positiveIntegerOption(
      'storeStallMilliseconds',
      options.storeStallMilliseconds,
      defaultStoreStallMilliseconds,
    ),
    onArchived: options.onArchived ?? (() => {}),
    onEvent: options.onEvent ?? (() => {}),
  };
}
