import { expect } from 'chai';
import {
  compileTopologyOptions,
  describeChange,
  describeDifference,
  TopologyOperationError,
} from '@ricochet/topology';
import { planTopology } from '@ricochet/topology/internal';
import { AdminOperationError, TopicFailuresError } from '@ricochet/kafka';
import { brokerMessageMaxBytes } from './fixtures.js';

describe('describeDifference', () => {
  it('says what differs in words a person can act on', () => {
    expect(describeDifference({ kind: 'missing', topic: 'dlq' })).to.equal('dlq: does not exist');
    expect(
      describeDifference({ kind: 'too-few-partitions', topic: 'retry-5s', planned: 3, actual: 1 }),
    ).to.equal('retry-5s: 1 partition, plan says 3');
    expect(
      describeDifference({ kind: 'too-many-partitions', topic: 'dlq', planned: 3, actual: 6 }),
    ).to.match(/^dlq: 6 partitions, plan says 3 \(.*never shrinks/);
    expect(
      describeDifference({ kind: 'replication-factor', topic: 'dlq', planned: 3, actual: 1 }),
    ).to.match(/^dlq: replication factor 1, plan says 3 \(this tool cannot change it/);
    expect(
      describeDifference({
        kind: 'config',
        topic: 'retry-1m',
        config: 'retention.ms',
        planned: '604800000',
        actual: '86400000',
      }),
    ).to.equal('retry-1m: retention.ms is 86400000 (1d), plan says 604800000 (7d)');
    expect(
      describeDifference({
        kind: 'config',
        topic: 'dlq',
        config: 'max.message.bytes',
        planned: '1114124',
        actual: '1048588',
      }),
    ).to.equal('dlq: max.message.bytes is 1048588, plan says at least 1114124');
  });
});

describe('describeChange', () => {
  it('describes each kind of change', () => {
    const plan = planTopology(compileTopologyOptions({ tiers: '5s' }), {
      brokerCount: 1,
      brokerMessageMaxBytes,
    });
    const tier = plan.topics[0];
    expect(tier).to.not.equal(undefined);
    if (tier === undefined) return;
    expect(describeChange({ kind: 'create-topic', topic: tier })).to.equal(
      'create retry-5s (3 partitions, replication factor 1, retention.ms=604800000 (7d), min.insync.replicas=1, cleanup.policy=delete, max.message.bytes=1114124)',
    );
    expect(describeChange({ kind: 'add-partitions', topic: 'dlq', from: 1, to: 3 })).to.equal(
      'grow dlq from 1 partition to 3',
    );
    expect(
      describeChange({
        kind: 'set-configs',
        topic: 'dlq',
        configs: { 'min.insync.replicas': '2' },
        resets: ['segment.ms'],
      }),
    ).to.equal('set dlq configs min.insync.replicas=2; reset segment.ms to the default');
  });
});

describe('TopologyOperationError', () => {
  it('lifts per-topic failures into its message', () => {
    const cause = new TopicFailuresError(
      'createTopics',
      [{ topic: 'retry-5s', reason: 'INVALID_REPLICATION_FACTOR', retriable: false }],
      undefined,
    );
    const error = new TopologyOperationError('creating topic retry-5s', cause);
    expect(error.message).to.equal(
      'creating topic retry-5s failed (retry-5s: INVALID_REPLICATION_FACTOR)',
    );
    expect(error.cause).to.equal(cause);
    expect(error.code).to.equal('TOPOLOGY_OPERATION_FAILED');
    expect(error.retriable).to.equal(false);
  });

  it('is retriable when the failed request may succeed later', () => {
    const cause = new AdminOperationError('listTopics', {
      message: 'Connection timeout',
      retriable: true,
      cause: undefined,
    });
    const error = new TopologyOperationError('listing topics', cause);
    expect(error.message).to.equal('listing topics failed');
    expect(error.retriable).to.equal(true);
  });
});
