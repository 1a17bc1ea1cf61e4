/**
 * @ricochet/core: Ricochet's pure logic, with no I/O. Everything else builds on it.
 *
 * @example
 * ```ts
 * import { parseTierLadder, routeFailure, describeError, writeRetryContract } from '@ricochet/core';
 *
 * const ladder = parseTierLadder('5s,1m,10m'); // retry-5s, retry-1m, retry-10m
 * const route = routeFailure(ladder, {
 *   previous: undefined,
 *   consumedAt: { topic: 'orders', partition: 0, offset: '42', timestamp: Date.now() },
 *   retryGroup: 'billing',
 *   error: describeError(new Error('timeout')),
 *   verdict: 'retryable',
 *   failedAt: Date.now(),
 * });
 * // route.kind === 'retry', route.tier.topic === 'retry-5s'
 * const headers = writeRetryContract(route.contract);
 * ```
 */
export { ConfigError, NonRetryableError, RicochetError } from './errors.js';
export { parseTimeBound } from './time-bound.js';
export { formatDuration, maxTimerMilliseconds, parseDuration } from './duration.js';
export {
  checkDeadLetterGuard,
  deadLetterGuardCountChoices,
  deadLetterGuardSyntax,
  defaultDeadLetterGuardCount,
  formatDeadLetterGuard,
  parseDeadLetterGuard,
  type DeadLetterGuardCount,
  type DeadLetterGuardSpec,
} from './dead-letter-guard-spec.js';
export {
  defaultLadderText,
  formatTierLadder,
  isTierTopicName,
  parseTierLadder,
  parseTierReference,
  tierTopicName,
  type Tier,
  type TierLadder,
} from './ladder.js';
export {
  classifyDecodeError,
  classifyError,
  describeError,
  type ErrorClassifier,
  type ErrorDescription,
  type ErrorVerdict,
} from './classify.js';
export {
  describeHeaderProblems,
  describeMalformedRedelivery,
  isRedelivery,
  readHeaderText,
  replayedFromHeader,
  replayCountHeader,
  readRetryContract,
  RetryHeader,
  userHeaders,
  WaitingHeader,
  deadLetterReasons,
  writeDeadLetterHeaders,
  writeOriginalPosition,
  writeRetryContract,
  type DeadLetterReason,
  type HeaderProblem,
  type HeaderProblemKind,
  type OriginalPosition,
  type RetryContract,
  type RetryContractReading,
} from './headers.js';
export {
  decodeCommitMetadata,
  encodeCommitMetadata,
  type BlockedKeysFence,
  type CommitMetadata,
} from './commit-metadata.js';
export { presentHeaders, tooLargeDeadLetter, unroutableDeadLetter } from './dead-letter.js';
export {
  ConnectDeadLetterHeader,
  isConnectDeadLetterHeader,
  isSpringDeadLetterHeader,
  replayHeaders,
  SpringDeadLetterHeader,
} from './other-dead-letters.js';
export {
  headerDescriptions,
  type HeaderDescription,
  type HeaderSource,
} from './header-descriptions.js';
export { chunkBySize, recordBatchOverheadBytes, recordSizeBound } from './record-size.js';
export { exponentialBackoff } from './backoff.js';
export { routeFailure, type Failure, type FailureRoute } from './retry-policy.js';
export { decodeUtf8, escapeTerminalJson, escapeTerminalText, truncateText } from './text.js';
export {
  boundedIntegerOption,
  choiceOption,
  nonEmptyTextOption,
  positiveIntegerOption,
  refuseRenamedOptions,
} from './validate.js';
export { compileTopicPatterns, type TopicPatterns } from './topic-patterns.js';
export {
  blockedKeysTopic,
  checkTopicName,
  defaultDeadLetterTopic,
  groupTopicPrefix,
  internalTopicPrefix,
  redeliveryGroup,
  redeliveryTopic,
  waitingTopic,
} from './topic-names.js';
export {
  BlockedKeysRecordError,
  blockedKeysPartition,
  blockedKeysRecordKey,
  blockedKeysRecordVersion,
  encodeBlockedKeysRecord,
  entryRecordKey,
  keyBase64,
  keyFromBase64,
  keyId,
  releaseRecordKey,
  releasedRecordKey,
  waitingScanMarginMilliseconds,
  blockedKeysWriterHeader,
  blockedKeysMinCompactionLagMilliseconds,
  releasedMarkerMarginMilliseconds,
  type BlockedKeyEntry,
  type BlockedKeysRecord,
  type BlockedKeysTombstone,
  type BlockerPosition,
  type FollowerAttempt,
  type ReleaseCommand,
  type ReleasedBlocker,
} from './blocked-keys.js';
export { decodeBlockedKeysRecord } from './blocked-keys-decode.js';
export { fromWaitingRecord, toWaitingRecord } from './waiting-records.js';
export type { LogFields, Logger } from './logger.js';
export {
  nextOffset,
  type ConsumedRecord,
  type HeaderValue,
  type OutgoingRecord,
  type RecordHeaders,
  type RecordPosition,
} from './record.js';
