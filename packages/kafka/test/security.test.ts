import { expect } from 'chai';
import {
  authorizationErrorFrom,
  connectErrorFrom,
  refusedResource,
  tlsProblem,
  topicsNamed,
} from '../src/security.js';
import { BrokerAuthenticationError, BrokerAuthorizationError } from '../src/errors.js';

/** A client error as kafkajs shapes a broker's refusal: its Kafka error name in `type`. */
function refusal(type: string, message: string): Error {
  return Object.assign(new Error(message), { type });
}

describe('kafka: security failures named for the operator', () => {
  it('names certificate problems by Node TLS error code, and leaves network failures alone', () => {
    expect(tlsProblem('SELF_SIGNED_CERT_IN_CHAIN')).to.match(
      /not signed by a trusted CA; check --tls-ca-file/,
    );
    expect(tlsProblem('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).to.match(/--tls-ca-file/);
    expect(tlsProblem('CERT_HAS_EXPIRED')).to.equal("the broker's certificate has expired");
    expect(tlsProblem('ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN')).to.match(
      /the broker refused the client certificate/,
    );
    expect(tlsProblem('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).to.match(/--tls-cert-file/);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', undefined]) {
      expect(tlsProblem(code)).to.equal(undefined);
    }
  });

  it('finds an ACL refusal by the error type or message anywhere in the causes', () => {
    expect(refusedResource(refusal('TOPIC_AUTHORIZATION_FAILED', 'x'))).to.equal('topic');
    expect(refusedResource(refusal('GROUP_AUTHORIZATION_FAILED', 'x'))).to.equal('group');
    const wrapped = new Error('retries exhausted', {
      cause: new Error('Not authorized to access topics: [Topic authorization failed]'),
    });
    expect(refusedResource(wrapped)).to.equal('topic');
    expect(refusedResource(new Error('Cluster authorization failed'))).to.equal('cluster');
    expect(refusedResource(refusal('NOT_LEADER_OR_FOLLOWER', 'x'))).to.equal(undefined);
    expect(refusedResource('not an error')).to.equal(undefined);
  });

  it('turns an ACL refusal into a BrokerAuthorizationError naming the permission, and nothing else', () => {
    const refused = refusal('GROUP_AUTHORIZATION_FAILED', 'Group authorization failed');
    const translated = authorizationErrorFrom(refused, {
      group: 'Read on group billing',
      topic: 'Read on topic orders',
      cluster: 'cluster',
    });
    expect(translated).to.be.instanceOf(BrokerAuthorizationError);
    expect((translated as BrokerAuthorizationError).permission).to.equal('Read on group billing');
    expect((translated as Error).message).to.match(
      /^not authorized: the principal needs Read on group billing/,
    );
    expect((translated as Error).cause).to.equal(refused);
    expect((translated as BrokerAuthorizationError).retriable).to.equal(false);
    const other = new Error('leader moved');
    expect(authorizationErrorFrom(other, 'Write on topic orders')).to.equal(other);
  });

  it('turns a refused SASL login into a BrokerAuthenticationError naming the user, not the password', () => {
    const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const sasl = { mechanism: 'scram-sha-512', username: 'billing', password: 's3cret' } as const;
    const translated = connectErrorFrom(refused, sasl);
    expect(translated).to.be.instanceOf(BrokerAuthenticationError);
    expect((translated as Error).message).to.include('"billing" (scram-sha-512)');
    expect((translated as Error).message).not.to.include('s3cret');
    const other = new Error('Connection timeout');
    expect(connectErrorFrom(other, sasl)).to.equal(other);
  });

  it('names one topic or several', () => {
    expect(topicsNamed(['orders'])).to.equal('topic orders');
    expect(topicsNamed(['retry-5s', 'dlq'])).to.equal('topics retry-5s, dlq');
  });
});
