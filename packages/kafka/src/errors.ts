// The errors entry (@ricochet/kafka/errors): what a caller matches on without loading the Kafka
// client, as the CLI's exit codes do.
import { RicochetError } from '@ricochet/core';

/**
 * The broker and this client do not accept each other: a certificate neither trusts, an expired
 * one, or a SASL password the broker refuses. Trying again cannot help, so it is not retried: a
 * service exits at once (the CLI gives 2) rather than reconnecting in a loop with bad settings.
 */
export class BrokerAuthenticationError extends RicochetError {
  static readonly code = 'BROKER_AUTHENTICATION';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, {
      code: BrokerAuthenticationError.code,
      retriable: false,
      cause: options.cause,
    });
  }
}

/**
 * The broker refused an operation for want of an ACL; `permission` names what the principal
 * lacks, as docs/operations-contract.md lists them (`Read on group billing`). Not retried: the
 * operator must grant it.
 */
export class BrokerAuthorizationError extends RicochetError {
  static readonly code = 'BROKER_AUTHORIZATION';
  readonly permission: string;

  constructor(permission: string, options: { cause?: unknown } = {}) {
    super(
      `not authorized: the principal needs ${permission} (grant it with an ACL; docs/operations-contract.md lists what each role needs)`,
      { code: BrokerAuthorizationError.code, retriable: false, cause: options.cause },
    );
    this.permission = permission;
  }
}

/** The package the librdkafka driver needs is not installed, or its native addon did not build. */
export class KafkaDriverUnavailableError extends RicochetError {
  static readonly code = 'KAFKA_DRIVER_UNAVAILABLE';

  constructor(cause: unknown) {
    super(
      'the librdkafka driver needs @confluentinc/kafka-javascript, built on install (python3, make, g++ and the libssl-dev and zlib1g-dev headers; CKJS_LINKING=dynamic npm install): it is not installed or did not build. docs/drivers.md says how; or run with --driver kafkajs',
      { code: KafkaDriverUnavailableError.code, retriable: false, cause },
    );
  }
}
