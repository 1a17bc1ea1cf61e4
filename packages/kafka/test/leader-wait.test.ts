import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { adminErrorFrom } from '../src/kafkajs-admin.js';
import { LeaderWaitTimeoutError, waitForLeaders } from '../src/leader-wait.js';

function protocolError(type: string): kafkajs.KafkaJSProtocolError {
  return new kafkajs.KafkaJSProtocolError(
    Object.assign(new Error(`${type} happened`), { type, retriable: true }),
  );
}

function topicLedBy(name: string, ...leaders: number[]): kafkajs.ITopicMetadata {
  return {
    name,
    partitions: leaders.map((leader, partitionId) => ({
      partitionId,
      leader,
      partitionErrorCode: 0,
      replicas: [leader],
      isr: [leader],
    })),
  };
}

describe('waitForLeaders', () => {
  it('reads again while the broker has not published the topic or a partition has no leader', async () => {
    const answers: Array<() => kafkajs.ITopicMetadata[]> = [
      () => {
        throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
      },
      () => {
        throw protocolError('LEADER_NOT_AVAILABLE');
      },
      () => [topicLedBy('orders', 1, -1)],
      () => [topicLedBy('orders', 1, 1)],
    ];
    let reads = 0;
    await waitForLeaders(['orders'], async () => answers[reads++]!(), 5_000);
    expect(reads).to.equal(4);
  });

  it('fails at once on any other refusal', async () => {
    let reads = 0;
    const waiting = waitForLeaders(
      ['orders'],
      async () => {
        reads += 1;
        throw protocolError('TOPIC_AUTHORIZATION_FAILED');
      },
      5_000,
    );
    const error = await waiting.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect((error as Error).message).to.equal('TOPIC_AUTHORIZATION_FAILED happened');
    expect(reads).to.equal(1);
  });

  it('gives up after the timeout with a retriable error naming the topics', async () => {
    const waiting = waitForLeaders(['orders', 'payments'], async () => [], 250);
    const error = await waiting.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(LeaderWaitTimeoutError);
    expect((error as Error).message).to.match(/^orders, payments: not every partition/);
    expect(adminErrorFrom('createTopics', error).retriable).to.equal(true);
  });
});
