import { userHeaders } from './headers.js';
import type { HeaderValue, RecordHeaders } from './record.js';

/**
 * The headers Spring Kafka's DeadLetterPublishingRecoverer writes on a dead letter, by their
 * default names: KafkaHeaders.DLT_* in spring-projects/spring-kafka,
 * spring-kafka/src/main/java/org/springframework/kafka/support/KafkaHeaders.java. How each value
 * is encoded is in DeadLetterPublishingRecoverer.java in the same package's `listener` folder
 * (maybeAddOriginalHeaders, addExceptionInfoHeaders; moved to DeadLetterRecordManager.java in
 * 4.1): topic, group, timestamp type, class names, message and stack trace as UTF-8 text; the
 * partition as a 4-byte and the offset and timestamp as 8-byte big-endian integers
 * (ByteBuffer.putInt / putLong). A header is added again, not replaced, each time a record is
 * dead-lettered (appendOriginalHeaders defaults to true), so the last one is the current one.
 */
export const SpringDeadLetterHeader = {
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalTimestamp: 'kafka_dlt-original-timestamp',
  /** `CREATE_TIME`, `LOG_APPEND_TIME` or `NO_TIMESTAMP_TYPE` (Kafka's TimestampType.toString()). */
  originalTimestampType: 'kafka_dlt-original-timestamp-type',
  /** Written only when the listener container knows its group (ListenerExecutionFailedException). */
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  /** The exception the error handler got: usually Spring's ListenerExecutionFailedException. */
  exceptionClass: 'kafka_dlt-exception-fqcn',
  /**
   * The exception Spring's wrappers (ListenerExecutionFailedException, TimestampedException)
   * were hiding: ErrorHandlingUtils.findRootCause, the listener's own exception.
   */
  exceptionCauseClass: 'kafka_dlt-exception-cause-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
  exceptionStacktrace: 'kafka_dlt-exception-stacktrace',
  /** The key-exception-* headers replace the exception-* ones when the key could not be deserialized. */
  keyExceptionClass: 'kafka_dlt-key-exception-fqcn',
  keyExceptionMessage: 'kafka_dlt-key-exception-message',
  keyExceptionStacktrace: 'kafka_dlt-key-exception-stacktrace',
} as const;

/**
 * What Spring Kafka's non-blocking retries (@RetryableTopic) add on each hop:
 * RetryTopicHeaders.java in spring-projects/spring-kafka,
 * spring-kafka/src/main/java/org/springframework/kafka/retrytopic/. Not read, only dropped on
 * replay: a replayed record starts its retries again, as one of Ricochet's own does.
 */
const springRetryTopicHeaderPrefix = 'retry_topic-';

/**
 * The context headers a Kafka Connect sink writes on a dead letter when
 * `errors.deadletterqueue.context.headers.enable` is true: apache/kafka,
 * connect/runtime/src/main/java/org/apache/kafka/connect/runtime/errors/DeadLetterQueueReporter.java
 * (ERROR_HEADER_*). Every value, numbers included, is UTF-8 text (toBytes(String.valueOf(...))),
 * and is added, not replaced. Connect writes no timestamp header: it gives the dead letter the
 * original record's own timestamp instead (report()).
 */
export const ConnectDeadLetterHeader = {
  originalTopic: '__connect.errors.topic',
  originalPartition: '__connect.errors.partition',
  originalOffset: '__connect.errors.offset',
  connectorName: '__connect.errors.connector.name',
  taskId: '__connect.errors.task.id',
  /** The step that failed: KEY_CONVERTER, VALUE_CONVERTER, TRANSFORMATION, TASK_PUT, ... */
  stage: '__connect.errors.stage',
  /** The class running that step (the converter, the transformation, the task). */
  executingClass: '__connect.errors.class.name',
  exceptionClass: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
  exceptionStacktrace: '__connect.errors.exception.stacktrace',
} as const;

const springDeadLetterHeaderPrefix = 'kafka_dlt-';
const connectDeadLetterHeaderPrefix = '__connect.errors.';

/** True for a Spring Kafka DLT header. */
export function isSpringDeadLetterHeader(name: string): boolean {
  return name.startsWith(springDeadLetterHeaderPrefix);
}

/** True for a Kafka Connect DLQ context header. */
export function isConnectDeadLetterHeader(name: string): boolean {
  return name.startsWith(connectDeadLetterHeaderPrefix);
}

/**
 * The headers a replay republishes: the user's own, without Ricochet's, Spring Kafka's or Kafka
 * Connect's record of past failures. Left on, they would describe a failure the replay ended:
 * Spring keeps the first original-* headers when appendOriginalHeaders is off (as its retry
 * topics set it), so a replay failing again would be archived with the first failure's
 * position, and the archive, which stores a group's dead letter of one position once, would
 * drop it as a duplicate.
 */
export function replayHeaders(headers: RecordHeaders): Record<string, HeaderValue | HeaderValue[]> {
  const kept = userHeaders(headers);
  for (const name of Object.keys(kept)) {
    if (
      isSpringDeadLetterHeader(name) ||
      isConnectDeadLetterHeader(name) ||
      name.startsWith(springRetryTopicHeaderPrefix)
    ) {
      delete kept[name];
    }
  }
  return kept;
}
