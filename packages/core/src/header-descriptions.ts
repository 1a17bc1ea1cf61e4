import { RetryHeader, WaitingHeader, replayedFromHeader } from './headers.js';
import { ConnectDeadLetterHeader, SpringDeadLetterHeader } from './other-dead-letters.js';

/** Who wrote a header the console explains. */
export type HeaderSource = 'ricochet' | 'spring' | 'connect';

export interface HeaderDescription {
  readonly source: HeaderSource;
  /** One sentence for an operator reading a dead letter. */
  readonly description: string;
}

const ricochet = (description: string): HeaderDescription => ({ source: 'ricochet', description });
const spring = (description: string): HeaderDescription => ({ source: 'spring', description });
const connect = (description: string): HeaderDescription => ({ source: 'connect', description });

/**
 * What each header of a dead-letter contract means, by name: Ricochet's own, Spring Kafka's DLT
 * headers and Kafka Connect's DLQ context headers. The names come from their one home (headers.ts,
 * other-dead-letters.ts); the console and the docs show these texts.
 */
export const headerDescriptions: ReadonlyMap<string, HeaderDescription> = new Map([
  [RetryHeader.tryCount, ricochet('failed attempts so far, 1 after the first failure')],
  [RetryHeader.originalTopic, ricochet('the topic the record was first consumed from')],
  [RetryHeader.originalPartition, ricochet('its partition there')],
  [RetryHeader.originalOffset, ricochet('its offset there')],
  [RetryHeader.originalTimestamp, ricochet('the original record’s timestamp (epoch ms)')],
  [RetryHeader.retryGroup, ricochet('the consumer group whose handler failed')],
  [RetryHeader.dueAt, ricochet('when the record was due back from its last retry tier (epoch ms)')],
  [RetryHeader.errorClass, ricochet('the class (name) of the last error')],
  [RetryHeader.errorMessage, ricochet('the last error’s message')],
  [RetryHeader.errorStack, ricochet('the last error’s stack trace')],
  [RetryHeader.firstFailureAt, ricochet('when the handler first failed on it (epoch ms)')],
  [RetryHeader.lastFailureAt, ricochet('when the handler last failed on it (epoch ms)')],
  [RetryHeader.deadLetterReason, ricochet('why it was dead-lettered')],
  [RetryHeader.deadLetterDetail, ricochet('the detail of that reason, for people')],
  [RetryHeader.redeliverTo, ricochet('the topic it was to be redelivered to, if not its original')],
  [WaitingHeader.group, ricochet('key-strict: the group whose blocked key it waited behind')],
  [WaitingHeader.forOffset, ricochet('key-strict: the offset of the record it waited behind')],
  [replayedFromHeader, ricochet('replayed from the archive: the archive id it came from')],
  [SpringDeadLetterHeader.originalTopic, spring('the topic the record was consumed from')],
  [SpringDeadLetterHeader.originalPartition, spring('its partition (4-byte big-endian int)')],
  [SpringDeadLetterHeader.originalOffset, spring('its offset (8-byte big-endian long)')],
  [SpringDeadLetterHeader.originalTimestamp, spring('its timestamp (8-byte big-endian, epoch ms)')],
  [SpringDeadLetterHeader.originalTimestampType, spring('CREATE_TIME or LOG_APPEND_TIME')],
  [SpringDeadLetterHeader.originalConsumerGroup, spring('the consumer group that failed')],
  [SpringDeadLetterHeader.exceptionClass, spring('the exception the error handler got')],
  [SpringDeadLetterHeader.exceptionCauseClass, spring('the listener’s own exception (root cause)')],
  [SpringDeadLetterHeader.exceptionMessage, spring('the exception’s message')],
  [SpringDeadLetterHeader.exceptionStacktrace, spring('the exception’s stack trace')],
  [SpringDeadLetterHeader.keyExceptionClass, spring('the key could not be deserialized: class')],
  [SpringDeadLetterHeader.keyExceptionMessage, spring('the key’s deserialization message')],
  [SpringDeadLetterHeader.keyExceptionStacktrace, spring('the key’s deserialization stack trace')],
  [ConnectDeadLetterHeader.originalTopic, connect('the topic the record was consumed from')],
  [ConnectDeadLetterHeader.originalPartition, connect('its partition')],
  [ConnectDeadLetterHeader.originalOffset, connect('its offset')],
  [ConnectDeadLetterHeader.connectorName, connect('the connector that failed')],
  [ConnectDeadLetterHeader.taskId, connect('the connector task that failed')],
  [ConnectDeadLetterHeader.stage, connect('the step that failed (converter, transform, put)')],
  [ConnectDeadLetterHeader.executingClass, connect('the class running that step')],
  [ConnectDeadLetterHeader.exceptionClass, connect('the exception’s class')],
  [ConnectDeadLetterHeader.exceptionMessage, connect('the exception’s message')],
  [ConnectDeadLetterHeader.exceptionStacktrace, connect('the exception’s stack trace')],
]);
