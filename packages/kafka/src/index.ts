/**
 * @ricochet/kafka: Ricochet's port to Kafka, and the one package that talks to a Kafka client
 * library (kafkajs today; ESLint refuses it anywhere else). Everything here is declared in
 * Ricochet's own types and names, and only as much as Ricochet uses:
 *
 * - a client handle (`createKafkaClient`, opaque) that the functions below take;
 * - services' consumers (`createServiceConsumer`): each fetched batch is a `ConsumedBatch`
 *   (records, resolve, heartbeat, whether it is still current), partitions are paused, resumed
 *   and sought through `PartitionControls`, and `ServiceLifecycle` runs the start/stop
 *   choreography, reports `ConsumerEvent`s and readiness, and commits (`commitBefore`,
 *   `commitThrough`) with the consumer's current group session;
 * - producers: `ReliablePublisher` (idempotent, acknowledged, retired after a failure) for the
 *   roles' hand-offs, `createReliableProducer` and `createBulkProducer` for tools;
 * - `createPartitionReader`: reads ranges of offsets of any partition without committing (the
 *   main consumer's key-strict state);
 * - the admin operations topology and the roles need (`createAdmin`, `KafkaAdmin`), failing with
 *   `AdminOperationError` / `TopicFailuresError`, which carry `retriable`.
 *
 * `@ricochet/kafka/kafkajs` hands out the kafkajs client itself, for the benchmark's kafkajs
 * baselines and tests acting as an outside party; `@ricochet/kafka/acls` grants and revokes ACLs
 * as a cluster's operator does (the secure test broker), which Ricochet's services never do.
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
  defaultConsumerMaxWaitMilliseconds,
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
  type TimestampOffset,
  type TopicConfigs,
  type TopicDescription,
  type TopicFailure,
  type TopicOperationOptions,
} from './admin.js';
export { createAdmin } from './create-admin.js';
export { BrokerAuthenticationError, KafkaDriverUnavailableError } from './errors.js';
export { createBulkProducer, createReliableProducer } from './producers.js';
export {
  PublishError,
  type BulkProducer,
  type BulkRecord,
  type ReliableProducer,
} from './producer.js';
export { ReliablePublisher, RecordTooLargeError, type Divert } from './publisher.js';
export {
  unacknowledgedPartitions,
  UnacknowledgedPartitionsError,
  type SentRecordPlace,
  type TopicPartition,
} from './acknowledgements.js';
export {
  defaultPublishTimeoutMilliseconds,
  PublishStalledError,
  type PublishHealth,
  type PublishStatus,
} from './publish-health.js';
export { TopicDirectory, type TopicLookup } from './topic-directory.js';
export { CommittedOffsetReader } from './committed-offsets.js';
export { createPartitionReader } from './create-partition-reader.js';
export {
  defaultPartitionReaderGroupPrefix,
  PartitionReadError,
  PartitionReaderClosedError,
  type PartitionReader,
  type PartitionReaderOptions,
} from './partition-reader.js';
export {
  ServiceLifecycle,
  ServiceStartAbandonedError,
  ServiceStartError,
  type Consumption,
  type LifecycleHooks,
  type Publishing,
} from './service-lifecycle.js';
export type { ServiceState } from './service-state.js';
export type { ConsumedBatch, PartitionControls } from './consumed-batch.js';
export { createServiceConsumer } from './create-service-consumer.js';
export {
  NoGroupSessionError,
  type ServiceConsumer,
  type ServiceConsumerOptions,
} from './service-consumer.js';
export { defaultKafkaDriver, kafkaDrivers, type KafkaDriver } from './driver.js';

export type {
  BatchConsumed,
  CommitFailed,
  ConsumerEvent,
  PartitionsAssigned,
  PublishFailed,
} from './consumer-events.js';
export { combineReadiness, type Readiness } from './readiness.js';
