import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { DeadLetterGuardSpec } from '@ricochet/core';
import type { KafkaDriver, SaslOptions } from '@ricochet/kafka';
import type { DeadLetterFormat } from '@ricochet/dlq-archiver/defaults';
import type { OnDeadLetter, Ordering, Redelivery } from '@ricochet/main-consumer/defaults';

export const serviceRoles = ['main', 'delay', 'dlq'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** The TLS files as the user named them (paths); their contents are in `KafkaConfig.ssl`. */
export interface TlsFiles {
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Undefined when TLS is off. */
  readonly tls: TlsFiles | undefined;
  /**
   * What the Kafka client takes: undefined for plaintext, `true` for TLS with the system CAs, or
   * node TLS options holding the contents of the files in `tls`.
   */
  readonly ssl: true | TlsConnectionOptions | undefined;
  readonly sasl: SaslOptions | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly driver: KafkaDriver;
}

/** The settings of a command that only talks to Kafka (`topology`, `dlq replay`). */
export interface ConnectionConfig {
  readonly kafka: KafkaConfig;
  /** Where each connection setting came from, as in `ServiceConfig.sources`. */
  readonly sources: Readonly<Record<string, string>>;
}

export interface HttpConfig {
  /** 0: no HTTP server. */
  readonly port: number;
  readonly host: string;
}

interface CommonServiceConfig {
  readonly kafka: KafkaConfig;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly http: HttpConfig;
  readonly shutdownTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly dlqTopic: string;
  /**
   * Where each setting's value came from, as the user spelled it (`--http-port`,
   * `RICOCHET_HTTP_PORT`, `config.yaml: http.port`) or `default`, keyed by config-file key. Checks
   * made later (loading the handler, opening the store) name the setting this way too.
   */
  readonly sources: Readonly<Record<string, string>>;
}

/** How long a role that hands records on may keep failing to publish before it fails. */
interface PublishingServiceConfig {
  readonly publishTimeoutMs: number;
}

export interface MainServiceConfig extends CommonServiceConfig, PublishingServiceConfig {
  readonly role: 'main';
  readonly group: string;
  readonly main: {
    readonly topics: readonly string[];
    /** A module path, relative to the working directory. */
    readonly handler: string;
    /** The ladder in canonical form, e.g. `5s,1m,10m`. */
    readonly tiers: string;
    readonly concurrency: number;
    readonly ordering: Ordering;
    readonly redelivery: Redelivery;
    readonly onDeadLetter: OnDeadLetter;
    readonly maxWaitingPerKey: number;
    readonly maxInFlight: number;
    readonly maxWaitMs: number;
    readonly maxBytesPerPartition: number;
    /** Undefined: the main consumer's default. */
    readonly revokeGraceMs: number | undefined;
    readonly fromBeginning: boolean;
    /** Undefined: the main consumer's default. */
    readonly handlerTimeoutMs: number | undefined;
    /** Undefined: the main consumer's default. */
    readonly stallTimeoutMs: number | undefined;
    /** Undefined: the main consumer's default. */
    readonly maxHandlerCrashes: number | undefined;
    /** Undefined: no dead-letter guard. */
    readonly deadLetterGuard: DeadLetterGuardSpec | undefined;
  };
}

/** One tier a delay process serves. */
export interface DelayTierConfig {
  /** The tier topic, canonical (`retry-5s`) whether the user named it by topic or by delay. */
  readonly topic: string;
  /** Each tier its own group, so that tiers scale apart by running more processes. */
  readonly group: string;
}

export interface DelayServiceConfig extends CommonServiceConfig, PublishingServiceConfig {
  readonly role: 'delay';
  readonly delay: {
    /** One or more, in the order given (the ladder's for --all-tiers), no topic twice. */
    readonly tiers: readonly DelayTierConfig[];
    readonly maxWaitMs: number;
    readonly readAheadMs: number;
    readonly readAheadBytes: number;
    /** Topic names or globs redeliveries may go to; undefined: any topic but internal ones. */
    readonly allowedTopics: readonly string[] | undefined;
  };
}

export interface DlqServiceConfig extends CommonServiceConfig {
  readonly role: 'dlq';
  readonly group: string;
  readonly archiver: {
    readonly store: string;
    /** PostgreSQL: the longest one statement may run (`statement_timeout`). */
    readonly statementTimeoutMs: number;
    readonly maxWaitMs: number;
    /** Whose dead-letter headers the archive's fields are read from. */
    readonly format: DeadLetterFormat;
    readonly registry: string | undefined;
  };
}

export type ServiceConfig = MainServiceConfig | DelayServiceConfig | DlqServiceConfig;
export type ServiceConfigFor<Role extends ServiceRole> = Extract<ServiceConfig, { role: Role }>;
