import type { ServiceConnectionOptions } from '@ricochet/kafka';
import {
  kafkaConnectionOptions,
  loadConnectionConfig,
  type ConnectionDefaults,
} from '@ricochet/service-config';
import type { CliIo } from './io.js';

/**
 * How to reach the cluster, from the flags of `withConnectionFlags`, the command's environment
 * and the config file, resolved as the services resolve theirs.
 */
export function connectionOptionsFrom(
  argv: object,
  io: CliIo,
  defaults: ConnectionDefaults,
): Omit<ServiceConnectionOptions, 'logger'> {
  const { kafka } = loadConnectionConfig(
    { flags: argv as Record<string, unknown>, environment: io.environment },
    defaults,
  );
  return kafkaConnectionOptions(kafka);
}

/** Few, short retries when connecting: a person waits, and a wrong address must fail in seconds. */
export const commandLineConnectRetry = {
  retries: 2,
  initialRetryTimeMilliseconds: 250,
  maxRetryTimeMilliseconds: 1_000,
};

/** What to check when no broker answered; the cause printed under it says which it was. */
export function unreachableProblem(brokers: readonly string[]): string {
  return `cannot reach Kafka at ${brokers.join(', ')}; check --brokers (or KAFKA_BROKERS), the SASL and TLS settings, and that the broker is running`;
}
