/**
 * @ricochet/kafka: the one package that talks to a Kafka client library. Roles receive clients
 * and types from here, never from kafkajs directly, so the client can be swapped in one place.
 *
 * @example
 * ```ts
 * import { createKafkaClient, createReliableProducer, publishAcknowledged } from '@ricochet/kafka';
 *
 * const kafka = createKafkaClient({ brokers: ['127.0.0.1:29092'], logger });
 * const producer = createReliableProducer(kafka);
 * await producer.connect();
 * await publishAcknowledged(producer, [{ topic: 'orders', key: null, value: Buffer.from('{}'), headers: {} }]);
 * ```
 */
import kafkajs from 'kafkajs';

export {
  createKafkaClient,
  defaultConnectionTimeoutMilliseconds,
  defaultRequestTimeoutMilliseconds,
  parseBrokerList,
  type KafkaConnectionOptions,
  type KafkaRetryOptions,
  type SaslOptions,
} from './client.js';
export {
  defaultSessionTimeoutMilliseconds,
  maxPartitionsConsumedConcurrently,
  sessionTimeoutBounds,
} from './group-limits.js';
export { compileConnectionOptions, type ServiceConnectionOptions } from './connection-options.js';
export { createReliableProducer, publishAcknowledged, PublishError } from './producer.js';
export { ReliablePublisher, RecordTooLargeError, type Divert } from './publisher.js';
export {
  defaultPublishTimeoutMilliseconds,
  publishStatus,
  PublishStalledError,
  type PublishHealth,
  type PublishStatus,
} from './publish-health.js';
export { TopicDirectory, type TopicLookup } from './topic-directory.js';
export { toConsumedRecord } from './records.js';
export { CommittedOffsetReader, type CommittedOffset } from './committed-offsets.js';
export {
  ServiceLifecycle,
  ServiceStartError,
  type Consumption,
  type LifecycleHooks,
  type Publishing,
} from './service-lifecycle.js';
export type { ServiceState } from './service-state.js';
export type { ConsumedBatch, PartitionControls } from './consumed-batch.js';
export {
  createServiceConsumer,
  NoGroupSessionError,
  ServiceConsumer,
  type ServiceConsumerOptions,
} from './service-consumer.js';
export {
  observeBatch,
  type BatchConsumed,
  type CommitFailed,
  type ConsumerEvent,
  type PartitionsAssigned,
  type PublishFailed,
} from './consumer-events.js';
export { describeReadiness, type Readiness } from './readiness.js';

export type Kafka = kafkajs.Kafka;
export type Admin = kafkajs.Admin;
export type Producer = kafkajs.Producer;
export type Consumer = kafkajs.Consumer;
export type ConsumerConfig = kafkajs.ConsumerConfig;
export type EachBatchPayload = kafkajs.EachBatchPayload;
export type KafkaMessage = kafkajs.KafkaMessage;
export type ITopicConfig = kafkajs.ITopicConfig;
export type ConsumerGroupJoinEvent = kafkajs.ConsumerGroupJoinEvent;
export type ConsumerCrashEvent = kafkajs.ConsumerCrashEvent;

export const KafkaClientError = kafkajs.KafkaJSError;
export const KafkaProtocolError = kafkajs.KafkaJSProtocolError;
export const ConfigResourceTypes = kafkajs.ConfigResourceTypes;
export const ConfigSource = kafkajs.ConfigSource;
