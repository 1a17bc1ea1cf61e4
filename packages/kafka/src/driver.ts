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

/**
 * The partition assignor both drivers offer a consumer group, by librdkafka's name for it: the
 * members of one group must share one, so a group whose members run on both drivers (while it
 * moves from one to the other) agrees on this one. kafkajs offers its own round robin under this
 * name too, after its usual `RoundRobinAssigner`, which a group all on kafkajs keeps choosing.
 */
export const sharedGroupAssignor = 'roundrobin';
