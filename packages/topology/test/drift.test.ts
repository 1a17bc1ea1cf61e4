import { expect } from 'chai';
import { compileTopologyOptions, type TopicSpec } from '@ricochet/topology';
import { findDifferences, planTopology } from '@ricochet/topology/internal';
import { clusterOf, observedAs, brokerMessageMaxBytes } from './fixtures.js';

const options = compileTopologyOptions({ tiers: '5s', sourceTopics: ['orders'] });
const plan = planTopology(options, { brokerCount: 1, brokerMessageMaxBytes });
const [tier, deadLetter, source] = plan.topics as [TopicSpec, TopicSpec, TopicSpec];

describe('findDifferences', () => {
  it('finds nothing when every topic is as planned', () => {
    const observed = clusterOf([observedAs(tier), observedAs(deadLetter), observedAs(source)]);
    expect(findDifferences(plan, observed)).to.deep.equal([]);
  });

  it('reports each missing topic', () => {
    expect(findDifferences(plan, clusterOf([observedAs(tier)]))).to.deep.equal([
      { kind: 'missing', topic: 'dlq' },
      { kind: 'missing', topic: 'orders' },
    ]);
  });

  it('reports partitions below and above the plan on owned topics', () => {
    const observed = clusterOf([
      observedAs(tier, { partitions: 1 }),
      observedAs(deadLetter, { partitions: 5 }),
      observedAs(source),
    ]);
    expect(findDifferences(plan, observed)).to.deep.equal([
      { kind: 'too-few-partitions', topic: 'retry-5s', planned: 3, actual: 1 },
      { kind: 'too-many-partitions', topic: 'dlq', planned: 3, actual: 5 },
    ]);
  });

  it('reports a different replication factor and configs', () => {
    const observed = clusterOf([
      observedAs(tier, {
        replicationFactor: 2,
        configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
      }),
      observedAs(deadLetter),
      observedAs(source),
    ]);
    expect(findDifferences(plan, observed)).to.deep.equal([
      { kind: 'replication-factor', topic: 'retry-5s', planned: 1, actual: 2 },
      {
        kind: 'config',
        topic: 'retry-5s',
        config: 'retention.ms',
        planned: tier.configs['retention.ms'],
        actual: '1000',
      },
      {
        kind: 'config',
        topic: 'retry-5s',
        config: 'min.insync.replicas',
        planned: '1',
        actual: undefined,
      },
      {
        kind: 'config',
        topic: 'retry-5s',
        config: 'cleanup.policy',
        planned: 'delete',
        actual: 'compact',
      },
      {
        kind: 'config',
        topic: 'retry-5s',
        config: 'max.message.bytes',
        planned: tier.configs['max.message.bytes'],
        actual: undefined,
      },
    ]);
  });

  it('takes a max.message.bytes above the plan as satisfying it, and one below as drift', () => {
    const planned = Number(tier.configs['max.message.bytes']);
    const withLimit = (limit: number) =>
      clusterOf([
        observedAs(tier, { configs: { ...tier.configs, 'max.message.bytes': String(limit) } }),
        observedAs(deadLetter),
        observedAs(source),
      ]);
    expect(findDifferences(plan, withLimit(planned * 4))).to.deep.equal([]);
    expect(findDifferences(plan, withLimit(planned - 1))).to.deep.equal([
      {
        kind: 'config',
        topic: 'retry-5s',
        config: 'max.message.bytes',
        planned: String(planned),
        actual: String(planned - 1),
      },
    ]);
  });

  it('judges a source topic only by existence and a partition minimum', () => {
    const observed = clusterOf([
      observedAs(tier),
      observedAs(deadLetter),
      observedAs(source, {
        partitions: 24,
        replicationFactor: 3,
        configs: { 'retention.ms': '1', 'cleanup.policy': 'compact' },
      }),
    ]);
    expect(findDifferences(plan, observed)).to.deep.equal([]);
    const fewer = clusterOf([
      observedAs(tier),
      observedAs(deadLetter),
      observedAs(source, { partitions: 1 }),
    ]);
    expect(findDifferences(plan, fewer)).to.deep.equal([
      { kind: 'too-few-partitions', topic: 'orders', planned: 3, actual: 1 },
    ]);
  });
});
