import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { BrokerAuthenticationError, BrokerAuthorizationError } from './errors.js';

const untrustedBroker =
  'check --tls-ca-file (RICOCHET_TLS_CA_FILE): it must hold the CA that signed the broker certificate';
const refusedClientCertificate =
  'the broker refused the client certificate (--tls-cert-file): it is expired, not yet valid, or not signed by a CA the broker trusts';

/**
 * What a TLS failure means for the person who configured it, by Node's error code; undefined for
 * failures that are not about certificates (a refused or reset connection: the broker may be
 * down, which the client's own retries are for).
 */
export function tlsProblem(code: string | undefined): string | undefined {
  switch (code) {
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
      return `the broker's certificate is not signed by a trusted CA; ${untrustedBroker}`;
    case 'CERT_HAS_EXPIRED':
      return "the broker's certificate has expired";
    case 'CERT_NOT_YET_VALID':
      return "the broker's certificate is not valid yet (is this machine's clock right?)";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return "the broker's certificate is not for the host name in --brokers";
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE':
      return refusedClientCertificate;
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return 'the broker requires a client certificate: set --tls-cert-file and --tls-key-file';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'the broker did not answer in TLS: is --brokers a TLS listener, or should --tls be off?';
    default:
      return undefined;
  }
}

/**
 * An ApiVersions request, version 0, correlation id 0, client id `ricochet-tls-check`: the one
 * request a broker answers before authentication, so its answer proves the broker accepted this
 * client's certificate (with TLS 1.3 a refusal arrives only after the handshake).
 */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('ricochet-tls-check');
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(0, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/**
 * One TLS handshake, and one ApiVersions exchange, with the first bootstrap broker, before the
 * client's own connections: the client retries every failed connection as if the network were at
 * fault, so a certificate problem would otherwise become minutes of reconnecting. Rejects with a
 * BrokerAuthenticationError for a certificate problem; resolves for anything else (the broker
 * answered, or is down, or slow: the client's connection attempts deal with those).
 */
export function checkBrokerTls(
  broker: string,
  tls: true | TlsConnectionOptions,
  timeoutMilliseconds: number,
): Promise<void> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      ...(tls === true ? {} : tls),
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
    const finish = (error?: BrokerAuthenticationError): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) {
        resolve();
      } else {
        reject(error);
      }
    };
    const timer = setTimeout(() => finish(), timeoutMilliseconds);
    socket.once('secureConnect', () => socket.write(apiVersionsRequest()));
    socket.once('data', () => finish());
    socket.once('end', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const problem = tlsProblem(error.code);
      finish(
        problem === undefined
          ? undefined
          : new BrokerAuthenticationError(`TLS with ${broker} failed: ${problem}`, {
              cause: error,
            }),
      );
    });
  });
}

/**
 * The client's failure to connect, as a BrokerAuthenticationError when the broker refused the
 * SASL credentials (the client does not retry those either); anything else unchanged.
 */
export function connectErrorFrom(
  error: unknown,
  sasl: { readonly mechanism: string; readonly username: string } | undefined,
): unknown {
  if (
    sasl !== undefined &&
    error instanceof Error &&
    (error.name === 'KafkaJSSASLAuthenticationError' ||
      (error as { type?: unknown }).type === 'ERR__AUTHENTICATION')
  ) {
    return new BrokerAuthenticationError(
      `SASL authentication as "${sasl.username}" (${sasl.mechanism}) refused by the broker: wrong username or password (RICOCHET_SASL_USERNAME, RICOCHET_SASL_PASSWORD), or a mechanism the broker does not enable for that user`,
      { cause: error },
    );
  }
  return error;
}

/** `topic a` or `topics a, b`: how a permission names them. */
export function topicsNamed(topics: readonly string[]): string {
  return `${topics.length === 1 ? 'topic' : 'topics'} ${topics.join(', ')}`;
}

/** What kind of resource the broker refused access to, for want of an ACL. */
export type RefusedResource = 'topic' | 'group' | 'cluster';

const refusalsByType: Readonly<Record<string, RefusedResource>> = {
  TOPIC_AUTHORIZATION_FAILED: 'topic',
  GROUP_AUTHORIZATION_FAILED: 'group',
  CLUSTER_AUTHORIZATION_FAILED: 'cluster',
};

/** The client's messages for the same, where it rewraps a refusal without its type. */
const refusalsByMessage: readonly [RegExp, RefusedResource][] = [
  [/not authorized to access topics|topic authorization failed/i, 'topic'],
  [/not authorized to access group|group authorization failed/i, 'group'],
  [/cluster authorization failed/i, 'cluster'],
];

/**
 * Which kind of resource the broker refused for want of an ACL, found anywhere in the chain of
 * causes; undefined when the failure is something else.
 */
export function refusedResource(error: unknown): RefusedResource | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const type = (cause as { type?: unknown }).type;
    const byType = typeof type === 'string' ? refusalsByType[type] : undefined;
    const byMessage = refusalsByMessage.find(([pattern]) => pattern.test(cause.message))?.[1];
    if (byType !== undefined || byMessage !== undefined) {
      return byType ?? byMessage;
    }
  }
  return undefined;
}

/**
 * `error` as a BrokerAuthorizationError naming the permission the operation needs (one for any
 * refusal, or one per kind of resource refused) when the broker refused it for want of an ACL;
 * anything else unchanged.
 */
export function authorizationErrorFrom(
  error: unknown,
  permission: string | Readonly<Record<RefusedResource, string>>,
): unknown {
  const refused = refusedResource(error);
  if (refused === undefined) {
    return error;
  }
  return new BrokerAuthorizationError(
    typeof permission === 'string' ? permission : permission[refused],
    { cause: error },
  );
}
