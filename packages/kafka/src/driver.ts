/**
 * The Kafka client library a service runs on. Both implement the same port: every decision
 * (ladder, hold, hand-off, commit rules) is in the shared code, and a driver only carries it out.
 *
 * - `kafkajs`: pure JavaScript, nothing to build; the default.
 * - `librdkafka`: Confluent's `@confluentinc/kafka-javascript` over librdkafka, a native addon
 *   built on install (an optional dependency; docs/drivers.md).
 */
export const kafkaDrivers = ['kafkajs', 'librdkafka'] as const;
export type KafkaDriver = (typeof kafkaDrivers)[number];
export const defaultKafkaDriver: KafkaDriver = 'kafkajs';
