import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import {
  defaultConnectionTimeoutMilliseconds,
  defaultRequestTimeoutMilliseconds,
  type KafkaConnectionOptions,
} from './client.js';
import type { LibrdkafkaSettings } from './librdkafka-api.js';

const saslMechanismNames = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

/** PEM text from node TLS option values (a string, a Buffer, or a list of them). */
function pemText(value: TlsConnectionOptions['ca']): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parts = (Array.isArray(value) ? value : [value]) as readonly unknown[];
  return parts
    .map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part)))
    .join('\n');
}

function tlsSettings(ssl: true | TlsConnectionOptions): LibrdkafkaSettings {
  if (ssl === true) {
    return {};
  }
  const settings: LibrdkafkaSettings = {};
  const ca = pemText(ssl.ca);
  const certificate = pemText(ssl.cert as TlsConnectionOptions['ca']);
  const key = pemText(ssl.key as TlsConnectionOptions['ca']);
  if (ca !== undefined) {
    settings['ssl.ca.pem'] = ca;
  }
  if (certificate !== undefined) {
    settings['ssl.certificate.pem'] = certificate;
  }
  if (key !== undefined) {
    settings['ssl.key.pem'] = key;
  }
  if (ssl.rejectUnauthorized === false) {
    settings['enable.ssl.certificate.verification'] = false;
  }
  return settings;
}

/**
 * How librdkafka reaches the cluster, from the same connection options kafkajs takes: brokers,
 * client id, TLS (PEM text, host name checked as Node checks it), SASL, and the timeouts.
 */
export function librdkafkaConnectionSettings(options: KafkaConnectionOptions): LibrdkafkaSettings {
  const tls = options.ssl !== undefined && options.ssl !== false;
  const sasl = options.sasl;
  const settings: LibrdkafkaSettings = {
    'bootstrap.servers': options.brokers.join(','),
    'client.id': options.clientId ?? 'ricochet',
    'security.protocol': `${sasl === undefined ? '' : 'sasl_'}${tls ? 'ssl' : 'plaintext'}`,
    'socket.connection.setup.timeout.ms':
      options.connectionTimeoutMilliseconds ?? defaultConnectionTimeoutMilliseconds,
    'socket.timeout.ms': options.requestTimeoutMilliseconds ?? defaultRequestTimeoutMilliseconds,
    // Each closed idle connection would otherwise be logged as an error.
    'log.connection.close': false,
    // Small requests (a hand-off, a commit) would otherwise wait on Nagle's algorithm, as
    // Node's sockets, which kafkajs uses, do not.
    'socket.nagle.disable': true,
    ...(tls ? tlsSettings(options.ssl as true | TlsConnectionOptions) : {}),
  };
  if (tls) {
    settings['ssl.endpoint.identification.algorithm'] = 'https';
  }
  if (sasl !== undefined) {
    settings['sasl.mechanisms'] = saslMechanismNames[sasl.mechanism];
    settings['sasl.username'] = sasl.username;
    settings['sasl.password'] = sasl.password;
  }
  if (options.retry !== undefined) {
    settings['retry.backoff.ms'] = options.retry.initialRetryTimeMilliseconds;
    settings['retry.backoff.max.ms'] = options.retry.maxRetryTimeMilliseconds;
    settings['reconnect.backoff.ms'] = options.retry.initialRetryTimeMilliseconds;
    settings['reconnect.backoff.max.ms'] = options.retry.maxRetryTimeMilliseconds;
  }
  return settings;
}
