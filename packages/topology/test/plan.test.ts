import { expect } from 'chai';
import { ConfigError } from '@ricochet/core';
import { compileTopologyOptions, type TopicSpec } from '@ricochet/topology';
import {
  defaultTierRetentionMilliseconds,
  headerHeadroomBytes,
  plannedTopicNames,
  planTopology,
} from '@ricochet/topology/internal';
import { brokerMessageMaxBytes } from './fixtures.js';

const day = 86_400_000;

function specNamed(topics: readonly TopicSpec[], name: string): TopicSpec {
  const spec = topics.find((topic) => topic.name === name);
  expect(spec, name).to.not.equal(undefined);
  return spec as TopicSpec;
}

describe('planTopology', () => {
  it('plans the default ladder, the dead-letter topic and source topics in order', () => {
    const options = compileTopologyOptions({ sourceTopics: ['orders'] });
    const plan = planTopology(options, { brokerCount: 1, brokerMessageMaxBytes });
    expect(plan.topics.map((topic) => [topic.name, topic.role])).to.deep.equal([
      ['retry-5s', 'tier'],
      ['retry-1m', 'tier'],
      ['retry-10m', 'tier'],
      ['dlq', 'dead-letter'],
      ['orders', 'source'],
    ]);
    expect(plannedTopicNames(options)).to.deep.equal(
      plan.topics.map(({ name, role }) => ({ name, role })),
    );
  });

  it('gives tiers max(7d, 10 x delay) and the dead-letter topic 14d by default', () => {
    const plan = planTopology(compileTopologyOptions({ tiers: '5s,1d' }), {
      brokerCount: 1,
      brokerMessageMaxBytes,
    });
    expect(specNamed(plan.topics, 'retry-5s').configs['retention.ms']).to.equal(String(7 * day));
    expect(specNamed(plan.topics, 'retry-1d').configs['retention.ms']).to.equal(String(10 * day));
    expect(specNamed(plan.topics, 'dlq').configs['retention.ms']).to.equal(String(14 * day));
    expect(
      defaultTierRetentionMilliseconds({ index: 0, delayMilliseconds: day, topic: 'x' }),
    ).to.equal(10 * day);
  });

  it('applies one given retention to every tier but not to the dead-letter topic', () => {
    const plan = planTopology(compileTopologyOptions({ tierRetention: '2d' }), {
      brokerCount: 1,
      brokerMessageMaxBytes,
    });
    for (const tier of plan.topics.filter((topic) => topic.role === 'tier')) {
      expect(tier.configs['retention.ms']).to.equal(String(2 * day));
    }
    expect(specNamed(plan.topics, 'dlq').configs['retention.ms']).to.equal(String(14 * day));
  });

  it('keeps cleanup.policy=delete on owned topics and no configs on source topics', () => {
    const plan = planTopology(compileTopologyOptions({ sourceTopics: ['orders'] }), {
      brokerCount: 1,
      brokerMessageMaxBytes,
    });
    expect(specNamed(plan.topics, 'retry-5s').configs['cleanup.policy']).to.equal('delete');
    expect(specNamed(plan.topics, 'orders').configs).to.deep.equal({});
  });

  it('gives tiers and the dead-letter topic headroom above the largest record a source topic takes', () => {
    const options = compileTopologyOptions({ tiers: '5s', sourceTopics: ['orders', 'images'] });
    const maxMessageBytes = (cluster: Parameters<typeof planTopology>[1]): string[] =>
      planTopology(options, cluster)
        .topics.filter((topic) => topic.role !== 'source')
        .map((topic) => topic.configs['max.message.bytes']!);
    expect(maxMessageBytes({ brokerCount: 1, brokerMessageMaxBytes })).to.deep.equal([
      String(brokerMessageMaxBytes + headerHeadroomBytes),
      String(brokerMessageMaxBytes + headerHeadroomBytes),
    ]);
    const images = { configs: { 'max.message.bytes': String(8 * 1024 * 1024) } };
    const orders = { configs: { 'max.message.bytes': '1000' } };
    expect(
      maxMessageBytes({
        brokerCount: 1,
        brokerMessageMaxBytes,
        topics: new Map([
          ['images', images],
          ['orders', orders],
        ]),
      }),
      'a source topic with a larger limit of its own',
    ).to.deep.equal([
      String(8 * 1024 * 1024 + headerHeadroomBytes),
      String(8 * 1024 * 1024 + headerHeadroomBytes),
    ]);
  });

  it('defaults the replication factor to min(3, brokers) and min ISR to one less', () => {
    const options = compileTopologyOptions();
    const cases: [number, number, string][] = [
      [1, 1, '1'],
      [2, 2, '1'],
      [3, 3, '2'],
      [6, 3, '2'],
    ];
    for (const [brokerCount, replicationFactor, minInsyncReplicas] of cases) {
      const spec = specNamed(
        planTopology(options, { brokerCount, brokerMessageMaxBytes }).topics,
        'dlq',
      );
      expect(spec.replicationFactor, `${brokerCount} brokers`).to.equal(replicationFactor);
      expect(spec.configs['min.insync.replicas']).to.equal(minInsyncReplicas);
    }
  });

  it('uses the partitions, replication factor and min ISR asked for', () => {
    const options = compileTopologyOptions({
      partitions: 12,
      replicationFactor: 2,
      minInsyncReplicas: 2,
    });
    for (const spec of planTopology(options, { brokerCount: 3, brokerMessageMaxBytes }).topics) {
      expect(spec.partitions).to.equal(12);
      expect(spec.replicationFactor).to.equal(2);
    }
  });

  it('refuses a replication factor above the broker count, naming the field', () => {
    const options = compileTopologyOptions({
      replicationFactor: 3,
      fieldNames: { replicationFactor: '--replication-factor' },
    });
    expect(() => planTopology(options, { brokerCount: 1, brokerMessageMaxBytes }))
      .to.throw(ConfigError, /--replication-factor: 3 is more than the 1 broker/)
      .with.property('field', '--replication-factor');
  });

  it('refuses a min ISR above the replication factor the cluster allows', () => {
    const options = compileTopologyOptions({ minInsyncReplicas: 2 });
    expect(() => planTopology(options, { brokerCount: 1, brokerMessageMaxBytes }))
      .to.throw(ConfigError)
      .with.property('field', 'minInsyncReplicas');
  });
});
