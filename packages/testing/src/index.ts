/**
 * @ricochet/testing (private): what the test suites share. Never imported by library code.
 *
 * @example
 * ```ts
 * const broker = await resolveTestBroker();
 * const registry = await resolveTestRegistry(); // registry.url: the Confluent-compatible API
 * const topic = uniqueName('orders');
 * await waitFor('the record to arrive', () => received.at(0));
 * await Promise.all([broker.stop(), registry.stop()]);
 * ```
 */
export { kafkaScript, resolveTestBroker, type TestBroker } from './broker.js';
export {
  registryScript,
  resolveTestRegistry,
  testRegistryUrl,
  type TestRegistry,
} from './registry.js';
export { uniqueName } from './names.js';
export { testPostgresUrl } from './postgres.js';
export { sleep, waitFor, type WaitOptions } from './wait.js';
export { startFailureCause } from './service-start.js';
export { testLogger, type TestLoggerOptions } from './logger.js';
export {
  collectTopic,
  committedOffset,
  committedOffsets,
  committedToEnd,
  createTestTopics,
  produceRecords,
  testBrokers,
  testConnection,
  testDriver,
  testKafka,
  testMaxWaitMilliseconds,
  withAdmin,
  type CollectedRecord,
} from './kafka-helpers.js';
export { runCliCaptured, type CliResult } from './cli-runner.js';
export { spawnCli, type CliProcess } from './cli-process.js';
export {
  startSecureBroker,
  type Acl,
  type SecureBroker,
  type SecureBrokerPorts,
} from './secure-broker.js';
export { storeWith } from './store-wrapper.js';
export { testRetryContract } from './retry-contracts.js';
export { closedLocalPort, listenSilently, type SilentListener } from './ports.js';
export {
  FaultProxy,
  outageBeyondProducerRetriesMilliseconds,
  type FaultProxyOptions,
} from './fault-proxy.js';
export {
  KafkaFrameSplitter,
  offsetCommitApiKey,
  produceApiKey,
  readRequestHeader,
  readResponseCorrelationId,
  type RequestHeader,
} from './kafka-frames.js';
export {
  kafkaClusterScript,
  startLocalCluster,
  type ClusterNodeId,
  type LocalCluster,
} from './cluster.js';
export {
  startProxiedBroker,
  type ProxiedBroker,
  type ProxiedBrokerPorts,
} from './proxied-broker.js';
export {
  connectDeadLetterHeaders,
  javaInt,
  javaLong,
  springDeadLetterHeaders,
  type ConnectFailure,
  type SpringFailure,
} from './other-dead-letters.js';
