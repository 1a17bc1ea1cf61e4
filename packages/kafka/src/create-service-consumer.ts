import { driverOf, type KafkaClient } from './client.js';
import { createKafkajsServiceConsumer } from './kafkajs-service-consumer.js';
import { LibrdkafkaServiceConsumer } from './librdkafka-service-consumer.js';
import type { ServiceConsumer, ServiceConsumerOptions } from './service-consumer.js';

/** Creates a service's consumer on the client's driver; topics are never created by consuming them. */
export function createServiceConsumer(
  client: KafkaClient,
  options: ServiceConsumerOptions,
): ServiceConsumer {
  return driverOf(client) === 'librdkafka'
    ? new LibrdkafkaServiceConsumer(client, options)
    : createKafkajsServiceConsumer(client, options);
}
