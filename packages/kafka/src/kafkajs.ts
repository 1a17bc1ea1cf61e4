/**
 * @ricochet/kafka/kafkajs: the kafkajs client behind a KafkaClient, for the code that measures or
 * stands in for kafkajs itself (the benchmark's kafkajs baselines, tests acting as an outside
 * party). Everything else goes through @ricochet/kafka's own types.
 */
export { kafkajsClientOf } from './client.js';
