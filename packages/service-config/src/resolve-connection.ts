import type { ConfigInput } from './config-input.js';
import { checkedReader } from './checked-reader.js';
import { resolveKafka, serviceTimeoutDefaults } from './kafka-settings.js';
import type { ConnectionConfig } from './types.js';

/**
 * Defaults of a command's connection. A person waits on a command line, so it may want shorter
 * timeouts than a service; unset ones are the table's.
 */
export interface ConnectionDefaults {
  readonly clientId: string;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * The Kafka connection settings alone, resolved and checked exactly as a service resolves its
 * own. The file may hold every other setting, each role's sections included: one file serves the
 * services and these commands, so those keys are allowed here and not read.
 */
export function resolveConnectionConfig(
  input: ConfigInput,
  defaults: ConnectionDefaults,
): ConnectionConfig {
  const reader = checkedReader(input);
  const kafka = resolveKafka(reader, input, {
    clientId: defaults.clientId,
    connectionTimeoutMs: defaults.connectionTimeoutMs ?? serviceTimeoutDefaults.connectionTimeoutMs,
    requestTimeoutMs: defaults.requestTimeoutMs ?? serviceTimeoutDefaults.requestTimeoutMs,
  });
  return { kafka, sources: reader.sources };
}

/**
 * As resolveConnectionConfig, for a command that can do without Kafka (the console replays only
 * when it has brokers): undefined when no brokers are given by flag, environment or file.
 */
export function resolveOptionalConnectionConfig(
  input: ConfigInput,
  defaults: ConnectionDefaults,
): ConnectionConfig | undefined {
  return checkedReader(input).given('brokers') === undefined
    ? undefined
    : resolveConnectionConfig(input, defaults);
}
