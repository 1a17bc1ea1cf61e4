/**
 * Dead-letter headers as Spring Kafka and Kafka Connect write them. The names are spelled out
 * here rather than taken from @ricochet/core, so a wrong name there fails the tests that use
 * these. Spring: spring-projects/spring-kafka, spring-kafka/src/main/java/org/springframework/
 * kafka/support/KafkaHeaders.java for the names and listener/DeadLetterPublishingRecoverer.java
 * (listener/DeadLetterRecordManager.java from 4.1) for the encodings. Connect: apache/kafka,
 * connect/runtime/src/main/java/org/apache/kafka/connect/runtime/errors/DeadLetterQueueReporter.java.
 */

/** Java's `ByteBuffer.allocate(Integer.BYTES).putInt(value).array()`. */
export function javaInt(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

/** Java's `ByteBuffer.allocate(Long.BYTES).putLong(value).array()`. */
export function javaLong(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return bytes;
}

export interface OtherSystemFailure {
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: bigint;
  readonly exceptionClass: string;
  readonly exceptionMessage: string;
  readonly exceptionStacktrace: string;
}

export interface SpringFailure extends OtherSystemFailure {
  readonly originalTimestamp: bigint;
  readonly consumerGroup: string;
  /** What ErrorHandlingUtils.findRootCause finds inside ListenerExecutionFailedException. */
  readonly causeClass: string;
}

/**
 * The headers DeadLetterPublishingRecoverer adds for a listener that threw (so the exception is
 * a ListenerExecutionFailedException carrying the group), in the order it adds them.
 */
export function springDeadLetterHeaders(failure: SpringFailure): Record<string, Buffer> {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  return {
    'kafka_dlt-exception-fqcn': utf8(failure.exceptionClass),
    'kafka_dlt-exception-cause-fqcn': utf8(failure.causeClass),
    'kafka_dlt-exception-message': utf8(failure.exceptionMessage),
    'kafka_dlt-exception-stacktrace': utf8(failure.exceptionStacktrace),
    'kafka_dlt-original-topic': utf8(failure.originalTopic),
    'kafka_dlt-original-partition': javaInt(failure.originalPartition),
    'kafka_dlt-original-offset': javaLong(failure.originalOffset),
    'kafka_dlt-original-timestamp': javaLong(failure.originalTimestamp),
    'kafka_dlt-original-timestamp-type': utf8('CREATE_TIME'),
    'kafka_dlt-original-consumer-group': utf8(failure.consumerGroup),
  };
}

export interface ConnectFailure extends OtherSystemFailure {
  readonly connectorName: string;
  readonly taskId: number;
  readonly stage: string;
  readonly executingClass: string;
}

/** The context headers DeadLetterQueueReporter.populateContextHeaders adds: all UTF-8 text. */
export function connectDeadLetterHeaders(failure: ConnectFailure): Record<string, Buffer> {
  const utf8 = (text: string | number | bigint) => Buffer.from(String(text), 'utf8');
  return {
    '__connect.errors.topic': utf8(failure.originalTopic),
    '__connect.errors.partition': utf8(failure.originalPartition),
    '__connect.errors.offset': utf8(failure.originalOffset),
    '__connect.errors.connector.name': utf8(failure.connectorName),
    '__connect.errors.task.id': utf8(failure.taskId),
    '__connect.errors.stage': utf8(failure.stage),
    '__connect.errors.class.name': utf8(failure.executingClass),
    '__connect.errors.exception.class.name': utf8(failure.exceptionClass),
    '__connect.errors.exception.message': utf8(failure.exceptionMessage),
    '__connect.errors.exception.stacktrace': utf8(failure.exceptionStacktrace),
  };
}
