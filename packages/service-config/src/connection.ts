import type { ServiceConnectionOptions } from '@ricochet/kafka';
import type { KafkaConfig } from './types.js';

/** The resolved Kafka settings in the shape the services' options take (all but the logger). */
export function kafkaConnectionOptions(
  kafka: KafkaConfig,
): Omit<ServiceConnectionOptions, 'logger'> {
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    ssl: kafka.ssl,
    sasl: kafka.sasl,
    connectionTimeoutMilliseconds: kafka.connectionTimeoutMs,
    requestTimeoutMilliseconds: kafka.requestTimeoutMs,
    driver: kafka.driver,
  };
}
