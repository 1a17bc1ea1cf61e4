import { driverOf, type KafkaClient } from './client.js';
import { createKafkajsPartitionReader } from './kafkajs-partition-reader.js';
import { createLibrdkafkaPartitionReader } from './librdkafka-partition-reader.js';
import type { PartitionReader, PartitionReaderOptions } from './partition-reader.js';

/** Creates a partition reader on the client's driver; resolves once it can read. */
export function createPartitionReader(
  client: KafkaClient,
  options: PartitionReaderOptions,
): Promise<PartitionReader> {
  return driverOf(client) === 'librdkafka'
    ? createLibrdkafkaPartitionReader(client, options)
    : createKafkajsPartitionReader(client, options);
}
