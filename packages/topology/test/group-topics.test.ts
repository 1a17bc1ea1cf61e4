import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import {
  compileTopologyOptions,
  defaultWaitingRetentionMilliseconds,
  describeDifference,
  type TopicSpec,
} from '@ricochet/topology';
import { findDifferences, headerHeadroomBytes, planTopology } from '@ricochet/topology/internal';
import { brokerMessageMaxBytes, clusterOf, observedAs } from './fixtures.js';

const day = 86_400_000;

function planFor(
  groups: readonly string[],
  extra: Parameters<typeof compileTopologyOptions>[0] = {},
) {
  return planTopology(compileTopologyOptions({ tiers: '5s', groups, ...extra }), {
    brokerCount: 1,
    brokerMessageMaxBytes,
  });
}

function specNamed(topics: readonly TopicSpec[], name: string): TopicSpec {
  const spec = topics.find((topic) => topic.name === name);
  expect(spec, name).to.not.equal(undefined);
  return spec as TopicSpec;
}

describe('topology: group topics (key-strict, redelivery group)', () => {
  it('plans each group its blocked-keys, waiting and redelivery topics after the dead-letter topic', () => {
    const plan = planFor(['billing', 'audit', 'billing'], { sourceTopics: ['orders'] });
    expect(plan.topics.map((topic) => [topic.name, topic.role])).to.deep.equal([
      ['retry-5s', 'tier'],
      ['dlq', 'dead-letter'],
      ['ricochet.billing.blocked-keys', 'blocked-keys'],
      ['ricochet.billing.waiting', 'waiting'],
      ['ricochet.billing.redelivery', 'redelivery'],
      ['ricochet.audit.blocked-keys', 'blocked-keys'],
      ['ricochet.audit.waiting', 'waiting'],
      ['ricochet.audit.redelivery', 'redelivery'],
      ['orders', 'source'],
    ]);
  });

  it('compacts the blocked-keys topic keeping superseded records a day, and stamps the waiting topic with the append time', () => {
    const plan = planFor(['billing'], { partitions: 6 });
    const blockedKeys = specNamed(plan.topics, 'ricochet.billing.blocked-keys');
    const waiting = specNamed(plan.topics, 'ricochet.billing.waiting');
    expect(blockedKeys.partitions).to.equal(6);
    expect(waiting.partitions).to.equal(6);
    expect(blockedKeys.configs).to.deep.equal({
      'min.insync.replicas': '1',
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': String(day),
      'max.message.bytes': String(Math.ceil((brokerMessageMaxBytes * 4) / 3) + headerHeadroomBytes),
    });
    expect(waiting.configs).to.deep.equal({
      'retention.ms': String(7 * day),
      'min.insync.replicas': '1',
      'cleanup.policy': 'delete',
      'max.message.bytes': String(brokerMessageMaxBytes + headerHeadroomBytes),
      'message.timestamp.type': 'LogAppendTime',
    });
    expect(defaultWaitingRetentionMilliseconds).to.equal(7 * day);
  });

  it('partitions the redelivery topic like the others, deleting after the waiting retention', () => {
    const plan = planFor(['billing'], { partitions: 6 });
    const redelivery = specNamed(plan.topics, 'ricochet.billing.redelivery');
    expect(redelivery.partitions).to.equal(6);
    expect(redelivery.configs).to.deep.equal({
      'retention.ms': String(7 * day),
      'min.insync.replicas': '1',
      'cleanup.policy': 'delete',
      'max.message.bytes': String(brokerMessageMaxBytes + headerHeadroomBytes),
    });
  });

  it('takes the waiting retention asked for, for the waiting and redelivery topics', () => {
    const plan = planFor(['billing'], { waitingRetention: '30d' });
    for (const topic of ['ricochet.billing.waiting', 'ricochet.billing.redelivery']) {
      expect(specNamed(plan.topics, topic).configs['retention.ms']).to.equal(String(30 * day));
    }
  });

  it('reports a missing group topic, a blocked-keys topic that deletes and a waiting topic stamped by producers', () => {
    const plan = planFor(['billing']);
    const [tier, deadLetter, blockedKeys, waiting, redelivery] = plan.topics as [
      TopicSpec,
      TopicSpec,
      TopicSpec,
      TopicSpec,
      TopicSpec,
    ];
    expect(
      findDifferences(plan, clusterOf([observedAs(tier), observedAs(deadLetter)])).map(
        describeDifference,
      ),
    ).to.deep.equal([
      'ricochet.billing.blocked-keys: does not exist',
      'ricochet.billing.waiting: does not exist',
      'ricochet.billing.redelivery: does not exist',
    ]);
    const drifted = clusterOf([
      observedAs(tier),
      observedAs(deadLetter),
      observedAs(blockedKeys, { configs: { ...blockedKeys.configs, 'cleanup.policy': 'delete' } }),
      observedAs(waiting, {
        configs: { ...waiting.configs, 'message.timestamp.type': 'CreateTime' },
      }),
      observedAs(redelivery, { configs: { ...redelivery.configs, 'cleanup.policy': 'compact' } }),
    ]);
    expect(findDifferences(plan, drifted).map(describeDifference)).to.deep.equal([
      'ricochet.billing.blocked-keys: cleanup.policy is delete, plan says compact',
      'ricochet.billing.waiting: message.timestamp.type is CreateTime, plan says LogAppendTime',
      'ricochet.billing.redelivery: cleanup.policy is compact, plan says delete',
    ]);
  });

  it('refuses a group that makes no legal topic name, naming the field', () => {
    for (const group of ['', 'has space', 'x'.repeat(240)]) {
      expect(() => compileTopologyOptions({ groups: [group], fieldNames: { groups: '--group' } }))
        .to.throw(ConfigError)
        .with.property('field', '--group');
    }
  });

  it('refuses a source or dead-letter topic named like a group topic', () => {
    expect(() =>
      compileTopologyOptions({ groups: ['billing'], sourceTopics: ['ricochet.billing.waiting'] }),
    )
      .to.throw(ConfigError)
      .with.property('field', 'sourceTopics');
    expect(() =>
      compileTopologyOptions({
        groups: ['billing'],
        sourceTopics: ['ricochet.billing.redelivery'],
      }),
    )
      .to.throw(ConfigError)
      .with.property('field', 'sourceTopics');
    expect(() =>
      compileTopologyOptions({
        groups: ['billing'],
        deadLetterTopic: 'ricochet.billing.blocked-keys',
      }),
    )
      .to.throw(ConfigError)
      .with.property('field', 'deadLetterTopic');
  });
});
