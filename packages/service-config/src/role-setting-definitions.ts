/** The settings of one role each (main, delay, dlq), as `settingDefinitions` lists them. */
// The settings entry only: the package's root loads the SQLite and PostgreSQL drivers.
import { defaultStatementTimeoutMs, defaultStoreUrl } from '@ricochet/archive/settings';
import { deadLetterGuardSyntax, defaultLadderText } from '@ricochet/core';
// The roles' defaults entries only: their roots load the services themselves.
import {
  defaultMaxWaitMilliseconds,
  defaultReadAheadBytes,
  defaultReadAheadMilliseconds,
} from '@ricochet/delay-consumer/defaults';
import { deadLetterFormats, defaultDeadLetterFormat } from '@ricochet/dlq-archiver/defaults';
import { defaultConsumerMaxWaitMilliseconds } from '@ricochet/kafka';
import {
  defaultConcurrency,
  defaultFromBeginning,
  defaultHandlerTimeoutMilliseconds,
  defaultMaxHandlerCrashes,
  defaultMaxBytesPerPartition,
  defaultMaxInFlight,
  defaultMaxWaitingPerKey,
  defaultOnDeadLetter,
  defaultOrdering,
  defaultRedelivery,
  defaultRevokeGraceMilliseconds,
  defaultStallTimeoutMilliseconds,
  onDeadLetterChoices,
  orderings,
  redeliveryChoices,
} from '@ricochet/main-consumer/defaults';
import { textFlag, type SettingDefinition } from './setting-definition.js';

/** One tier per process unless told otherwise: the layout that scales each tier apart. */
export const defaultAllTiers = false;

/** Keyed by config-file key, in the order they are checked, after the settings every role takes. */
export const roleSettingDefinitions = {
  'main.topics': {
    flag: { name: 'topic', type: 'string', repeatable: true },
    environment: 'RICOCHET_TOPICS',
    roles: ['main'],
    description: 'source topic; repeat or separate with commas; required',
  },
  'main.handler': {
    flag: textFlag('handler'),
    environment: 'RICOCHET_HANDLER',
    roles: ['main'],
    description: 'module exporting the handler; required',
  },
  tiers: {
    flag: textFlag('tiers'),
    environment: 'RICOCHET_TIERS',
    roles: ['main', 'delay'],
    description:
      'retry ladder (delay: the tiers --all-tiers serves; when given, --tier must name tiers of it)',
    defaultText: defaultLadderText,
  },
  'main.concurrency': {
    flag: textFlag('concurrency'),
    environment: 'RICOCHET_CONCURRENCY',
    roles: ['main'],
    description:
      'partitions handled at once (fetched batches in hand); records in hand stay bounded by --max-in-flight',
    defaultText: String(defaultConcurrency),
  },
  'main.ordering': {
    flag: textFlag('ordering'),
    environment: 'RICOCHET_ORDERING',
    roles: ['main'],
    description: `which records may run at once: ${orderings.join(', ')} (key: a key's records one at a time, in offset order; key-strict: as key, and a key's later records wait while one is in the retry tiers, needs \`ricochet topology create --group\`; partition: one record of a partition at a time; unordered: any)`,
    defaultText: defaultOrdering,
  },
  'main.redelivery': {
    flag: textFlag('redelivery'),
    environment: 'RICOCHET_REDELIVERY',
    roles: ['main'],
    description: `where the delay service sends the group's due retries: ${redeliveryChoices.join(', ')} (source: back to the original topic; group: to the group's own redelivery topic ricochet.<group>.redelivery, read ahead of the source topics, needs \`ricochet topology create --group\`; not with key-strict)`,
    defaultText: defaultRedelivery,
  },
  'main.onDeadLetter': {
    flag: textFlag('on-dead-letter'),
    environment: 'RICOCHET_ON_DEAD_LETTER',
    roles: ['main'],
    description: `key-strict: what becomes of the records waiting behind a dead-lettered one: ${onDeadLetterChoices.join(', ')} (release: handled as after a success; dead-letter: dead-lettered too, predecessor-dead-lettered)`,
    defaultText: defaultOnDeadLetter,
  },
  'main.maxWaitingPerKey': {
    flag: textFlag('max-waiting-per-key'),
    environment: 'RICOCHET_MAX_WAITING_PER_KEY',
    roles: ['main'],
    description:
      'key-strict: records that may wait behind one blocked key; past it a record is dead-lettered (waiting-cap-exceeded)',
    defaultText: String(defaultMaxWaitingPerKey),
  },
  'main.maxInFlight': {
    flag: textFlag('max-in-flight'),
    environment: 'RICOCHET_MAX_IN_FLIGHT',
    roles: ['main'],
    description: 'records handled at once across all partitions; fetching pauses at the limit',
    defaultText: String(defaultMaxInFlight),
  },
  'main.maxBytesPerPartition': {
    flag: textFlag('max-bytes-per-partition'),
    environment: 'RICOCHET_MAX_BYTES_PER_PARTITION',
    roles: ['main'],
    description:
      'the most a fetch returns per partition of the source topics; smaller fetches leave the cores to retries sooner in a burst, at the cost of more fetch round trips',
    defaultText: String(defaultMaxBytesPerPartition),
  },
  'main.revokeGraceMs': {
    flag: textFlag('revoke-grace-ms'),
    environment: 'RICOCHET_REVOKE_GRACE_MS',
    roles: ['main'],
    description:
      'how long running handlers get to finish once their partition is revoked or the service stops; records still running then are not committed and are handled again by the next owner',
    defaultText: String(defaultRevokeGraceMilliseconds),
  },
  'main.maxWaitMs': {
    flag: textFlag('max-wait-ms'),
    environment: 'RICOCHET_MAX_WAIT_MS',
    roles: ['main'],
    description: 'longest fetch wait while there is nothing to read; a stop waits for it',
    defaultText: String(defaultConsumerMaxWaitMilliseconds),
  },
  'main.fromBeginning': {
    flag: { name: 'from-beginning', type: 'boolean' },
    environment: 'RICOCHET_FROM_BEGINNING',
    roles: ['main'],
    description: 'read from the beginning when the group has no committed offset',
    defaultText: String(defaultFromBeginning),
  },
  'main.handlerTimeoutMs': {
    flag: textFlag('handler-timeout-ms'),
    environment: 'RICOCHET_HANDLER_TIMEOUT_MS',
    roles: ['main'],
    description: 'longest handler call; a call still running then fails (retryable) and is ignored',
    defaultText: String(defaultHandlerTimeoutMilliseconds),
  },
  'main.stallTimeoutMs': {
    flag: textFlag('stall-timeout-ms'),
    environment: 'RICOCHET_STALL_TIMEOUT_MS',
    roles: ['main'],
    description: 'not ready once records wait in hand and none has finished for this long',
    defaultText: String(defaultStallTimeoutMilliseconds),
  },
  'main.maxHandlerCrashes': {
    flag: textFlag('max-handler-crashes'),
    environment: 'RICOCHET_MAX_HANDLER_CRASHES',
    roles: ['main'],
    description:
      'crashes of the process on one record before it is dead-lettered (handler-crashed)',
    defaultText: String(defaultMaxHandlerCrashes),
  },
  'main.deadLetterGuard': {
    flag: textFlag('dead-letter-guard'),
    environment: 'RICOCHET_DEAD_LETTER_GUARD',
    roles: ['main'],
    description: `${deadLetterGuardSyntax}: pause consumption (and turn not ready) once at least min-records were counted within the window and this share of them or more were dead-lettered (count=failed: sent to a tier too); resumed by SIGUSR2, a restart, or after the cool-down`,
    defaultText: 'off',
  },
  'delay.tier': {
    flag: { name: 'tier', type: 'string', repeatable: true },
    environment: 'RICOCHET_TIER',
    roles: ['delay'],
    description:
      'tier topic (retry-5s) or delay (5s) to serve; repeat or separate with commas to serve several from one process, each in its own consumer group; required unless --all-tiers',
  },
  'delay.allTiers': {
    flag: { name: 'all-tiers', type: 'boolean' },
    environment: 'RICOCHET_ALL_TIERS',
    roles: ['delay'],
    description:
      'serve every tier of the ladder (--tiers) from this one process, each in its own consumer group; not with --tier',
    defaultText: String(defaultAllTiers),
  },
  'delay.maxWaitMs': {
    flag: textFlag('max-wait-ms'),
    environment: 'RICOCHET_MAX_WAIT_MS',
    roles: ['delay'],
    description: 'longest fetch wait',
    defaultText: String(defaultMaxWaitMilliseconds),
  },
  'delay.readAheadMs': {
    flag: textFlag('read-ahead-ms'),
    environment: 'RICOCHET_READ_AHEAD_MS',
    roles: ['delay'],
    description: 'records due within this are kept in memory and released on time',
    defaultText: String(defaultReadAheadMilliseconds),
  },
  'delay.readAheadBytes': {
    flag: textFlag('read-ahead-bytes'),
    environment: 'RICOCHET_READ_AHEAD_BYTES',
    roles: ['delay'],
    description: 'most bytes of records read ahead by a tier, all its partitions together',
    defaultText: String(defaultReadAheadBytes),
  },
  'delay.allowedTopics': {
    flag: { name: 'allowed-topics', type: 'string', repeatable: true },
    environment: 'RICOCHET_ALLOWED_TOPICS',
    roles: ['delay'],
    description:
      'topics redeliveries may go to: names or globs (* = any run of characters); repeat or separate with commas; a record naming another topic is dead-lettered (topic-not-allowed)',
    defaultText: 'any topic but internal ones',
  },
  'archiver.store': {
    flag: textFlag('store'),
    environment: 'RICOCHET_STORE',
    roles: ['dlq'],
    description: 'archive URL: sqlite:<file> or postgres://...',
    defaultText: defaultStoreUrl,
  },
  'archiver.statementTimeoutMs': {
    flag: textFlag('statement-timeout-ms'),
    environment: 'RICOCHET_STATEMENT_TIMEOUT_MS',
    roles: ['dlq'],
    description:
      'PostgreSQL archive: longest one statement may run, lock waits included; the insert then fails and nothing is committed',
    defaultText: String(defaultStatementTimeoutMs),
  },
  'archiver.maxWaitMs': {
    flag: textFlag('max-wait-ms'),
    environment: 'RICOCHET_MAX_WAIT_MS',
    roles: ['dlq'],
    description: 'longest fetch wait while there is nothing to read; a stop waits for it',
    defaultText: String(defaultConsumerMaxWaitMilliseconds),
  },
  'archiver.format': {
    flag: textFlag('format'),
    environment: 'RICOCHET_DLQ_FORMAT',
    roles: ['dlq'],
    description: `whose dead-letter headers to read: ${deadLetterFormats.join(', ')} (spring: Spring Kafka's kafka_dlt-*; connect: Kafka Connect's __connect.errors.*; auto: whichever each record carries)`,
    defaultText: defaultDeadLetterFormat,
  },
  registry: {
    flag: textFlag('registry'),
    environment: 'SCHEMA_REGISTRY_URL',
    roles: ['dlq'],
    description: 'schema registry URL, to index decoded values for --grep',
    defaultText: 'none',
  },
} as const satisfies Record<string, SettingDefinition>;
