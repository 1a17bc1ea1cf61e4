import type { KafkaAdmin } from './admin.js';
import { driverOf, type KafkaClient } from './client.js';
import { createKafkajsAdmin } from './kafkajs-admin.js';
import { createLibrdkafkaAdmin } from './librdkafka-admin.js';

/** An admin on the client's driver; connect it before use and disconnect it afterwards. */
export function createAdmin(client: KafkaClient): KafkaAdmin {
  return driverOf(client) === 'librdkafka'
    ? createLibrdkafkaAdmin(client)
    : createKafkajsAdmin(client);
}
