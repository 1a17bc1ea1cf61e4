import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { ConnectionConfig, KafkaConfig, ServiceConfig } from './types.js';
import { redactUrl } from './values.js';

export const redacted = '***';

/**
 * The config for printing and logging: the SASL password and the TLS key masked, certificates
 * shown by file name rather than as PEM, and any password inside a URL masked.
 */
export function redactConfig<Config extends ServiceConfig>(config: Config): Config {
  const shown: ServiceConfig = { ...config, kafka: redactKafka(config.kafka) };
  if (shown.role === 'dlq') {
    const { store, registry } = shown.archiver;
    return {
      ...shown,
      archiver: {
        ...shown.archiver,
        store: redactUrl(store),
        registry: registry === undefined ? undefined : redactUrl(registry),
      },
    } as Config;
  }
  return shown as Config;
}

/** The connection settings for printing and logging, masked as `redactConfig` masks them. */
export function redactConnection(config: ConnectionConfig): ConnectionConfig {
  return { ...config, kafka: redactKafka(config.kafka) };
}

function redactKafka(kafka: KafkaConfig): KafkaConfig {
  return {
    ...kafka,
    sasl: kafka.sasl === undefined ? undefined : { ...kafka.sasl, password: redacted },
    ssl: typeof kafka.ssl === 'object' ? redactSsl(kafka) : kafka.ssl,
  };
}

function redactSsl(kafka: KafkaConfig): TlsConnectionOptions {
  const pemFrom = (path: string | undefined) => `(PEM from ${path ?? 'a file'})`;
  const ssl = kafka.ssl as TlsConnectionOptions;
  return {
    ...(ssl.ca === undefined ? {} : { ca: pemFrom(kafka.tls?.caFile) }),
    ...(ssl.cert === undefined ? {} : { cert: pemFrom(kafka.tls?.certFile) }),
    ...(ssl.key === undefined ? {} : { key: redacted }),
  };
}
