/**
 * @ricochet/kafka: the one package that talks to a Kafka client library. Roles receive clients
 * and types from here, never from kafkajs directly, so the client can be swapped in one place.
 *
 * @example
 * ```ts
 * import { createKafkaClient, createReliableProducer } from '@ricochet/kafka';
 *
 * const kafka = createKafkaClient({ brokers: ['127.0.0.1:29092'], logger });
 * const producer = createReliableProducer(kafka);
 * await producer.connect();
 * await producer.publishAcknowledged([{ topic: 'orders', key: null, value: Buffer.from('{}'), headers: {} }]);
 * ```
 */

export {
  createKafkaClient,
  defaultConnectionTimeoutMilliseconds,
  defaultRequestTimeoutMilliseconds,
  parseBrokerList,
  type KafkaClient,
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
export {
  AdminOperationError,
  TopicFailuresError,
  type ClusterDescription,
  type CommittedOffset,
  type CommittedPartitionOffset,
  type ConfigDescription,
  type ConfigEntry,
  type ConfigQuery,
  type ConfigResourceType,
  type ConfigSourceName,
  type CreateTopicsOptions,
  type KafkaAdmin,
  type NewTopic,
  type PartitionDescription,
  type PartitionGrowth,
  type PartitionOffsets,
  type TopicConfigs,
  type TopicDescription,
  type TopicFailure,
  type TopicOperationOptions,
} from './admin.js';
export { createAdmin } from './kafkajs-admin.js';
export {
  createBulkProducer,
  createReliableProducer,
  PublishError,
  type BulkProducer,
  type BulkRecord,
  type ReliableProducer,
} from './producer.js';
export { ReliablePublisher, RecordTooLargeError, type Divert } from './publisher.js';
export {
  defaultPublishTimeoutMilliseconds,
  publishStatus,
  PublishStalledError,
  type PublishHealth,
  type PublishStatus,
} from './publish-health.js';
export { TopicDirectory, type TopicLookup } from './topic-directory.js';
export { CommittedOffsetReader } from './committed-offsets.js';
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

// Until the consumer port replaces them.
