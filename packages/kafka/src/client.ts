import kafkajs from 'kafkajs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConfigError, type Logger } from '@ricochet/core';
import { kafkaLogCreator } from './logging.js';
import { checkBrokerTls, connectErrorFrom } from './security.js';
import { defaultKafkaDriver, type KafkaDriver } from './driver.js';
import { loadLibrdkafka, type LibrdkafkaModule } from './librdkafka-api.js';

export type SaslOptions =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }
  | { mechanism: 'scram-sha-512'; username: string; password: string };

export interface KafkaConnectionOptions {
  /** Bootstrap servers, `host:port`. */
  brokers: readonly string[];
  clientId?: string;
  /** `true` for TLS with the system CAs, or node TLS options (ca, cert, key). */
  ssl?: boolean | TlsConnectionOptions;
  sasl?: SaslOptions;
  connectionTimeoutMilliseconds?: number;
  requestTimeoutMilliseconds?: number;
  /**
   * How often connecting and requests are retried. kafkajs's default (5 retries, up to 30 s
   * apart) suits services; a command line that must fail fast on a wrong address needs fewer.
   */
  retry?: KafkaRetryOptions;
  /** The client library behind the port; `defaultKafkaDriver` (kafkajs) when unset. */
  driver?: KafkaDriver;
  logger: Logger;
}

export interface KafkaRetryOptions {
  retries: number;
  initialRetryTimeMilliseconds: number;
  maxRetryTimeMilliseconds: number;
}

export const defaultConnectionTimeoutMilliseconds = 3_000;
export const defaultRequestTimeoutMilliseconds = 30_000;

const brokerPattern = /^[^\s:]+:\d{1,5}$/;
const maxPort = 65_535;

/** Splits `a:9092,b:9092` and checks each entry, naming `field` in the error. */
export function parseBrokerList(text: string, field: string): string[] {
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw new ConfigError(field, 'no broker given; expected host:port[,host:port...]');
  }
  for (const broker of brokers) {
    if (!brokerPattern.test(broker)) {
      throw new ConfigError(field, `"${broker}" is not host:port`);
    }
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (port < 1 || port > maxPort) {
      throw new ConfigError(field, `"${broker}" has port ${port}; a port is from 1 to ${maxPort}`);
    }
  }
  return brokers;
}

declare const kafkaClientBrand: unique symbol;

/**
 * How to reach a cluster, as a handle that only @ricochet/kafka's functions accept (admin,
 * producers, publishers, consumers): nothing outside this package sees the client library.
 */
export interface KafkaClient {
  readonly [kafkaClientBrand]: true;
}

interface ClientEntry {
  /**
   * The kafkajs client, made for either driver: the librdkafka driver does through it what
   * librdkafka's Node API cannot (topic configs, ACLs); it connects only when used.
   */
  readonly kafka: kafkajs.Kafka;
  readonly driver: KafkaDriver;
  /** The addon, loaded when the client is made, for the librdkafka driver only. */
  readonly librdkafka: LibrdkafkaModule | undefined;
  readonly options: KafkaConnectionOptions;
  /** The TLS check of connectChecked, made once per client. */
  tlsChecked?: Promise<void>;
}

const kafkajsClients = new WeakMap<KafkaClient, ClientEntry>();

/**
 * The only place a Kafka client is constructed. Everything else receives the handle from here,
 * and this package's functions pick the driver's adapter for it. The librdkafka driver fails
 * here, with a KafkaDriverUnavailableError, when its addon is not installed.
 */
export function createKafkaClient(options: KafkaConnectionOptions): KafkaClient {
  const driver = options.driver ?? defaultKafkaDriver;
  const librdkafka = driver === 'librdkafka' ? loadLibrdkafka() : undefined;
  const kafka = new kafkajs.Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId ?? 'ricochet',
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    ...(options.retry === undefined
      ? {}
      : {
          retry: {
            retries: options.retry.retries,
            initialRetryTime: options.retry.initialRetryTimeMilliseconds,
            maxRetryTime: options.retry.maxRetryTimeMilliseconds,
          },
        }),
    connectionTimeout:
      options.connectionTimeoutMilliseconds ?? defaultConnectionTimeoutMilliseconds,
    requestTimeout: options.requestTimeoutMilliseconds ?? defaultRequestTimeoutMilliseconds,
    logLevel: kafkajs.logLevel.INFO,
    logCreator: kafkaLogCreator(options.logger),
  });
  const client = Object.freeze({}) as KafkaClient;
  kafkajsClients.set(client, { kafka, driver, librdkafka, options });
  return client;
}

function entryOf(client: KafkaClient): ClientEntry {
  const entry = kafkajsClients.get(client);
  if (entry === undefined) {
    throw new TypeError('not a KafkaClient: make one with createKafkaClient');
  }
  return entry;
}

/** The driver a handle was made for. */
export function driverOf(client: KafkaClient): KafkaDriver {
  return entryOf(client).driver;
}

/** The librdkafka driver's addon and the options its clients are made from. */
export function librdkafkaOf(client: KafkaClient): {
  readonly librdkafka: LibrdkafkaModule;
  readonly options: KafkaConnectionOptions;
} {
  const { librdkafka, options } = entryOf(client);
  if (librdkafka === undefined) {
    throw new TypeError(
      'not a librdkafka client: make one with createKafkaClient({ driver: "librdkafka" })',
    );
  }
  return { librdkafka, options };
}

/** The kafkajs client behind a handle. For this package's adapters only (and see kafkajs.ts). */
export function kafkajsClientOf(client: KafkaClient): kafkajs.Kafka {
  return entryOf(client).kafka;
}

/**
 * Runs an adapter's `connect`: over TLS, after one check of the broker's certificate (once per
 * client); a certificate or SASL credential problem rejects with a BrokerAuthenticationError, which
 * nothing retries.
 */
export async function connectChecked(
  client: KafkaClient,
  connect: () => Promise<void>,
): Promise<void> {
  const entry = entryOf(client);
  const { ssl, brokers, sasl } = entry.options;
  if (ssl !== undefined && ssl !== false) {
    entry.tlsChecked ??= checkBrokerTls(
      brokers[0]!,
      ssl,
      entry.options.connectionTimeoutMilliseconds ?? defaultConnectionTimeoutMilliseconds,
    );
    await entry.tlsChecked;
  }
  try {
    await connect();
  } catch (error) {
    throw connectErrorFrom(error, sasl);
  }
}
