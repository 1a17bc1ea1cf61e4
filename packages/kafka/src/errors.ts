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
