import { expect } from 'chai';
import kafkajs from 'kafkajs';
import type { TopicDescription } from '../src/admin.js';
import { adminErrorFrom } from '../src/admin-guard.js';
import { LibrdkafkaError } from '../src/librdkafka-errors.js';
import { LeaderWaitTimeoutError, waitForLeaders } from '../src/leader-wait.js';

function protocolError(type: string): kafkajs.KafkaJSProtocolError {
  return new kafkajs.KafkaJSProtocolError(
    Object.assign(new Error(`${type} happened`), { type, retriable: true }),
  );
}

/** A topic whose partitions are led by `leaders`, in order; undefined for a partition without one. */
function topicLedBy(name: string, ...leaders: (number | undefined)[]): TopicDescription {
  return {
    name,
    partitions: leaders.map((leader, partition) => ({
      partition,
      leader,
      replicas: [1],
      inSyncReplicas: leader === undefined ? [] : [leader],
    })),
  };
}

describe('waitForLeaders', () => {
  it('reads again while the broker has not published the topic or a partition has no leader', async () => {
    const answers: Array<() => TopicDescription[]> = [
      () => {
        throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
      },
      () => {
        throw protocolError('LEADER_NOT_AVAILABLE');
      },
      () => [topicLedBy('orders', 1, undefined)],
      () => [topicLedBy('orders', 1, 1)],
    ];
    let reads = 0;
    await waitForLeaders(['orders'], async () => answers[reads++]!(), 5_000);
    expect(reads).to.equal(4);
  });

  it('reads again on the same answers from librdkafka', async () => {
    const answers: Array<() => TopicDescription[]> = [
      () => {
        throw new LibrdkafkaError('not yet', 'UNKNOWN_TOPIC_OR_PARTITION', 3, true, undefined);
      },
      () => {
        throw new LibrdkafkaError('not yet', 'LEADER_NOT_AVAILABLE', 5, true, undefined);
      },
      () => [topicLedBy('orders', 1, 1)],
    ];
    let reads = 0;
    await waitForLeaders(['orders'], async () => answers[reads++]!(), 5_000);
    expect(reads).to.equal(3);
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
