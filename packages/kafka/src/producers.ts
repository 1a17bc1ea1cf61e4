import { driverOf, type KafkaClient } from './client.js';
import {
  createLibrdkafkaBulkProducer,
  createLibrdkafkaReliableProducer,
} from './librdkafka-producer.js';
import {
  createKafkajsBulkProducer,
  createKafkajsReliableProducer,
  type BulkProducer,
  type ReliableProducer,
} from './producer.js';

/** A producer fit to hand records on (idempotent, `acks=all`), on the client's driver. */
export function createReliableProducer(client: KafkaClient): ReliableProducer {
  return driverOf(client) === 'librdkafka'
    ? createLibrdkafkaReliableProducer(client)
    : createKafkajsReliableProducer(client);
}

/** A producer for filling topics fast (not idempotent), on the client's driver. */
export function createBulkProducer(client: KafkaClient): BulkProducer {
  return driverOf(client) === 'librdkafka'
    ? createLibrdkafkaBulkProducer(client)
    : createKafkajsBulkProducer(client);
}
