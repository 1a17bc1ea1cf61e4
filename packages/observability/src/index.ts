/**
 * @ricochet/observability: the Prometheus metrics and the /healthz, /readyz and /metrics
 * endpoints every Ricochet service serves (docs/operations-contract.md). The services only emit
 * events; the observers here turn them into metrics, so a service embedded as a library pays
 * nothing for metrics it does not want.
 *
 * @example
 * ```ts
 * import { createMainConsumer } from '@ricochet/main-consumer';
 * import { createMetrics, mainConsumerObserver, startServiceHttp } from '@ricochet/observability';
 *
 * const metrics = createMetrics({ role: 'main' });
 * const observer = mainConsumerObserver(metrics);
 * const consumer = createMainConsumer({
 *   brokers: ['127.0.0.1:29092'],
 *   groupId: 'billing',
 *   topics: ['orders'],
 *   handler,
 *   logger,
 *   onOutcome: observer.onOutcome,
 *   onEvent: observer.onEvent,
 * });
 * observer.watch(consumer); // records in flight and per-partition gaps, read at each scrape
 * const http = await startServiceHttp({
 *   host: '0.0.0.0',
 *   port: 9464,
 *   metrics,
 *   readiness: () => consumer.readiness(),
 *   logger,
 * });
 * await consumer.start();
 * // A delay consumer: const observer = delayConsumerObserver(createMetrics({ role: 'delay' }), 'retry-5s');
 * // pass onEvent: observer.onEvent, then observer.watch(delay) once it exists (held partitions).
 * // The archiver: archiverObserver(createMetrics({ role: 'dlq' }), store.kind) -> onArchived, onEvent.
 * process.once('SIGTERM', async () => {
 *   await consumer.stop();
 *   await http.close();
 * });
 * ```
 */
export {
  createMetrics,
  serviceRoles,
  type MetricsOptions,
  type ServiceMetrics,
  type WatchedInFlight,
  type ServiceRole,
} from './metrics.js';
export type { MetricDefinition } from './metric-catalog.js';
export {
  mainConsumerObserver,
  type MainConsumerObserver,
  type ObservedMainConsumerEvent,
  type ObservedOutcome,
} from './main-consumer-observer.js';
export {
  delayConsumerObserver,
  type DelayConsumerObserver,
  type ObservedDelayConsumerEvent,
} from './delay-consumer-observer.js';
export { archiverObserver, type ArchiverObserver } from './archiver-observer.js';
export {
  startServiceHttp,
  ServiceHttpError,
  type ServiceHttp,
  type ServiceHttpOptions,
} from './service-http.js';
