// Mocha global fixtures: resolve one real broker for the whole run and export it as
// KAFKA_BROKERS, so that tests and the service processes they spawn all use it.
import { resolveTestBroker, type TestBroker } from '@ricochet/testing';

let broker: TestBroker | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  broker = await resolveTestBroker();
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  process.stderr.write(`tests use Kafka at ${process.env.KAFKA_BROKERS} (${broker.source})\n`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await broker?.stop();
}
