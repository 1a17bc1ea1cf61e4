import { ConfigError } from '@ricochet/core';
import { parseBrokerList } from '@ricochet/kafka';
import type { CliIo } from './io.js';

/** Where the cluster is: --brokers, else KAFKA_BROKERS from the command's environment. */
export function brokersFrom(flag: string | undefined, io: CliIo): string[] {
  if (flag !== undefined) {
    return parseBrokerList(flag, '--brokers');
  }
  const fromEnvironment = io.environment.KAFKA_BROKERS;
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    return parseBrokerList(fromEnvironment, 'KAFKA_BROKERS');
  }
  throw new ConfigError(
    '--brokers',
    'no brokers given; pass --brokers host:port or set KAFKA_BROKERS',
  );
}
