import { expect } from 'chai';
import { compileTopologyOptions, type ObservedCluster, type TopicSpec } from '@ricochet/topology';
import { findDifferences, planChanges, planTopology } from '@ricochet/topology/internal';
import { clusterOf, observedAs, brokerMessageMaxBytes } from './fixtures.js';

const plan = planTopology(compileTopologyOptions({ tiers: '5s,1m' }), {
  brokerCount: 1,
  brokerMessageMaxBytes,
});
const [fast, slow, deadLetter] = plan.topics as [TopicSpec, TopicSpec, TopicSpec];

function changesFor(observed: ObservedCluster, applyDrift: boolean) {
  return planChanges({
    plan,
    observed,
    differences: findDifferences(plan, observed),
    applyDrift,
  });
}

/** Every kind of drift at once: too few partitions, a config, and two no tool can fix. */
const drifted = clusterOf([
  observedAs(fast, { partitions: 1, replicationFactor: 2 }),
  observedAs(slow, {
    partitions: 6,
    configs: { ...slow.configs, 'retention.ms': '1000' },
    overrides: ['retention.ms', 'segment.ms'],
  }),
]);

describe('planChanges', () => {
  it('creates missing topics from their specs whether or not drift is applied', () => {
    for (const applyDrift of [false, true]) {
      const { changes, leftAlone } = changesFor(clusterOf([]), applyDrift);
      expect(changes).to.deep.equal(
        [fast, slow, deadLetter].map((topic) => ({ kind: 'create-topic', topic })),
      );
      expect(leftAlone).to.deep.equal([]);
    }
  });

  it('changes nothing when the cluster matches', () => {
    const matching = clusterOf([observedAs(fast), observedAs(slow), observedAs(deadLetter)]);
    expect(changesFor(matching, true)).to.deep.equal({ changes: [], leftAlone: [] });
  });

  it('leaves drift alone unless asked, saying why', () => {
    const { changes, leftAlone } = changesFor(drifted, false);
    expect(changes).to.deep.equal([{ kind: 'create-topic', topic: deadLetter }]);
    expect(
      leftAlone.map(({ difference, reason }) => [difference.topic, difference.kind, reason]),
    ).to.deep.equal([
      ['retry-5s', 'too-few-partitions', 'drift-not-applied'],
      ['retry-5s', 'replication-factor', 'cannot-change'],
      ['retry-1m', 'too-many-partitions', 'cannot-change'],
      ['retry-1m', 'config', 'drift-not-applied'],
    ]);
  });

  it('with applyDrift grows partitions and sets the full config set, never shrinking', () => {
    const { changes, leftAlone } = changesFor(drifted, true);
    expect(changes).to.deep.equal([
      { kind: 'create-topic', topic: deadLetter },
      { kind: 'add-partitions', topic: 'retry-5s', from: 1, to: 3 },
      { kind: 'set-configs', topic: 'retry-1m', configs: slow.configs, resets: ['segment.ms'] },
    ]);
    expect(leftAlone.map(({ difference }) => difference.kind)).to.deep.equal([
      'replication-factor',
      'too-many-partitions',
    ]);
    expect(leftAlone.every(({ reason }) => reason === 'cannot-change')).to.equal(true);
  });

  it('sets the configs of a topic once however many of them differ', () => {
    const observed = clusterOf([
      observedAs(fast, { configs: {} }),
      observedAs(slow),
      observedAs(deadLetter),
    ]);
    const { changes } = changesFor(observed, true);
    expect(changes).to.have.length(1);
    expect(changes[0]).to.include({ kind: 'set-configs', topic: 'retry-5s' });
  });

  it('keeps a max.message.bytes raised above the plan when it sets the other configs', () => {
    const raised = String(Number(fast.configs['max.message.bytes']) * 8);
    const observed = clusterOf([
      observedAs(fast, {
        configs: { ...fast.configs, 'retention.ms': '1', 'max.message.bytes': raised },
      }),
      observedAs(slow),
      observedAs(deadLetter),
    ]);
    const { changes } = changesFor(observed, true);
    expect(changes).to.deep.equal([
      {
        kind: 'set-configs',
        topic: 'retry-5s',
        configs: { ...fast.configs, 'max.message.bytes': raised },
        resets: [],
      },
    ]);
  });
});
