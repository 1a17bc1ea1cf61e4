// Mocha global fixtures: resolve one real broker and one real schema registry for the whole run
// and export them as KAFKA_BROKERS and SCHEMA_REGISTRY_URL, so that tests and the service
// processes they spawn all use them.
import {
  resolveTestBroker,
  resolveTestRegistry,
  type TestBroker,
  type TestRegistry,
} from '@ricochet/testing';

let broker: TestBroker | undefined;
let registry: TestRegistry | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  // Both are JVMs that take seconds to start: start them side by side.
  const results = await Promise.allSettled([resolveTestBroker(), resolveTestRegistry()] as const);
  const [brokerResult, registryResult] = results;
  if (brokerResult.status === 'fulfilled' && registryResult.status === 'fulfilled') {
    broker = brokerResult.value;
    registry = registryResult.value;
    process.env.KAFKA_BROKERS = broker.brokers.join(',');
    process.env.SCHEMA_REGISTRY_URL = registry.url;
    process.stderr.write(`tests use Kafka at ${process.env.KAFKA_BROKERS} (${broker.source})\n`);
    process.stderr.write(`tests use the schema registry at ${registry.url} (${registry.source})\n`);
    return;
  }
  // Do not leave the one that did start running for nobody.
  await Promise.allSettled(
    results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)),
  );
  throw results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    ?.reason;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await Promise.all([broker?.stop(), registry?.stop()]);
}
