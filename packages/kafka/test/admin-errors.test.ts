import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { AdminOperationError, TopicFailuresError } from '../src/admin.js';
import { adminErrorFrom } from '../src/admin-guard.js';
import { configSourceName } from '../src/kafkajs-admin.js';

/** A broker refusal as kafkajs raises it: the client's error-code table entry it was given. */
function protocolError(type: string, retriable: boolean): kafkajs.KafkaJSProtocolError {
  return new kafkajs.KafkaJSProtocolError(
    Object.assign(new Error(`${type} happened`), { type, retriable }),
  );
}

/** kafkajs's per-topic creation refusal (a protocol error naming its topic; its class is untyped). */
function createTopicError(topic: string, type: string): kafkajs.KafkaJSProtocolError {
  return Object.assign(protocolError(type, false), { topic });
}

describe('adminErrorFrom', () => {
  it('turns the per-topic refusals of an aggregate into a TopicFailuresError', () => {
    const aggregate = new kafkajs.KafkaJSAggregateError('Topic creation errors', [
      createTopicError('retry-5s', 'INVALID_REPLICATION_FACTOR'),
      createTopicError('dlq', 'POLICY_VIOLATION'),
    ]);
    const error = adminErrorFrom('createTopics', aggregate);
    expect(error).to.be.instanceOf(TopicFailuresError);
    expect((error as TopicFailuresError).failures).to.deep.equal([
      { topic: 'retry-5s', reason: 'INVALID_REPLICATION_FACTOR', retriable: false },
      { topic: 'dlq', reason: 'POLICY_VIOLATION', retriable: false },
    ]);
    expect(error.message).to.equal(
      'createTopics failed: retry-5s: INVALID_REPLICATION_FACTOR; dlq: POLICY_VIOLATION',
    );
    expect(error.retriable).to.equal(false);
    expect(error.cause).to.equal(aggregate);
    expect(error.code).to.equal(AdminOperationError.code);
  });

  it('finds the aggregate under the error kafkajs wraps it in', () => {
    const aggregate = new kafkajs.KafkaJSAggregateError('Topic creation errors', [
      createTopicError('retry-5s', 'INVALID_REPLICATION_FACTOR'),
    ]);
    const wrapped = Object.assign(new kafkajs.KafkaJSNonRetriableError(aggregate), {
      cause: aggregate,
    });
    const error = adminErrorFrom('createTopics', wrapped);
    expect(error).to.be.instanceOf(TopicFailuresError);
    expect((error as TopicFailuresError).failures[0]?.topic).to.equal('retry-5s');
  });

  it('is retriable only when every per-topic refusal is', () => {
    const retriable = (types: readonly [string, boolean][]) =>
      adminErrorFrom(
        'createPartitions',
        new kafkajs.KafkaJSAggregateError(
          'errors',
          types.map(([type, isRetriable]) => protocolError(type, isRetriable)),
        ),
      ).retriable;
    expect(retriable([['REQUEST_TIMED_OUT', true]])).to.equal(true);
    expect(
      retriable([
        ['REQUEST_TIMED_OUT', true],
        ['INVALID_PARTITIONS', false],
      ]),
    ).to.equal(false);
  });

  it('keeps a string refusal as its reason, naming no topic', () => {
    const error = adminErrorFrom(
      'createTopics',
      new kafkajs.KafkaJSAggregateError('errors', ['something odd']),
    ) as TopicFailuresError;
    expect(error.failures).to.deep.equal([
      { topic: undefined, reason: 'something odd', retriable: false },
    ]);
  });

  it("keeps the broker's name for a refusal as the reason, and the client's retriable verdict", () => {
    const cause = protocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    const error = adminErrorFrom('describeTopics', cause);
    expect(error).to.be.instanceOf(AdminOperationError);
    expect(error).not.to.be.instanceOf(TopicFailuresError);
    expect(error.reason).to.equal('UNKNOWN_TOPIC_OR_PARTITION');
    expect(error.retriable).to.equal(true);
    expect(error.operation).to.equal('describeTopics');
    expect(error.message).to.equal('describeTopics failed: UNKNOWN_TOPIC_OR_PARTITION happened');
  });

  it('carries a connection failure as retriable with no reason', () => {
    const error = adminErrorFrom(
      'connect',
      new kafkajs.KafkaJSConnectionError('Connection timeout', { broker: '127.0.0.1:1' }),
    );
    expect(error.reason).to.equal(undefined);
    expect(error.retriable).to.equal(true);
  });

  it('takes an exhausted retry as not retriable, as the client does', () => {
    const last = protocolError('LEADER_NOT_AVAILABLE', true);
    const error = adminErrorFrom(
      'listTopics',
      new kafkajs.KafkaJSNumberOfRetriesExceeded(last, { retryCount: 2, retryTime: 1000 }),
    );
    expect(error.retriable).to.equal(false);
  });

  it('takes anything that is not a client error as not retriable', () => {
    const error = adminErrorFrom('listTopics', new TypeError('oops'));
    expect(error.retriable).to.equal(false);
    expect(error.reason).to.equal(undefined);
    expect(error.message).to.equal('listTopics failed: oops');
  });
});

describe('configSourceName', () => {
  it('names each source kafkajs reports, and anything else unknown', () => {
    expect(configSourceName(kafkajs.ConfigSource.TOPIC_CONFIG)).to.equal('topic');
    expect(configSourceName(kafkajs.ConfigSource.STATIC_BROKER_CONFIG)).to.equal('static-broker');
    expect(configSourceName(kafkajs.ConfigSource.DEFAULT_CONFIG)).to.equal('default');
    expect(configSourceName(undefined)).to.equal('unknown');
    expect(configSourceName(42 as kafkajs.ConfigSource)).to.equal('unknown');
  });
});
