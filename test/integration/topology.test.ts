import { expect } from 'chai';
import { ConfigError, type Logger } from '@ricochet/core';
import { listenSilently, testBrokers, testDriver, testLogger, withAdmin } from '@ricochet/testing';
import {
  ClusterUnreachableError,
  compileTopologyOptions,
  createTopology,
  deleteTopology,
  describeTopology,
  verifyTopology,
  withTopologyAdmin,
  type CompiledTopologyOptions,
} from '@ricochet/topology';
import { openTopologyAdmin, readCluster } from '@ricochet/topology/internal';
import { deleteTopicsIfPresent, uniqueTopology, type TestTopology } from './topology-fixtures.js';

const day = 86_400_000;

/** On the tests' driver (RICOCHET_KAFKA_DRIVER), as every admin the tests make. */
function connection(brokers = testBrokers(), logger: Logger = testLogger('topology')) {
  return { brokers, driver: testDriver(), logger };
}

/** Connection failures are the expected outcome below; kafkajs's log of each try is noise. */
const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};

describe('topology against a real broker', function () {
  this.timeout(60_000);
  let topology: TestTopology;
  let options: CompiledTopologyOptions;

  beforeEach(() => {
    topology = uniqueTopology();
    options = compileTopologyOptions({
      tiers: topology.tiers,
      deadLetterTopic: topology.deadLetterTopic,
      sourceTopics: [topology.sourceTopic],
      partitions: 2,
    });
  });

  afterEach(async () => {
    await deleteTopicsIfPresent(topology.allTopics);
  });

  it('creates every planned topic with its shape and configs, then finds nothing to change', async () => {
    await withTopologyAdmin(connection(), async (admin) => {
      const first = await createTopology(admin, options);
      expect(first.changes.map((change) => change.kind)).to.deep.equal([
        'create-topic',
        'create-topic',
        'create-topic',
        'create-topic',
      ]);
      expect(first.unchanged).to.deep.equal([]);

      const observed = await readCluster(admin, topology.allTopics);
      const [tier] = topology.tierTopics;
      const tierTopic = observed.topics.get(tier ?? '');
      expect(tierTopic).to.include({ partitions: 2, replicationFactor: 1 });
      expect(tierTopic?.configs['retention.ms']).to.equal(String(7 * day));
      expect(tierTopic?.configs['cleanup.policy']).to.equal('delete');
      const deadLetter = observed.topics.get(topology.deadLetterTopic);
      expect(deadLetter?.configs['retention.ms']).to.equal(String(14 * day));
      const source = observed.topics.get(topology.sourceTopic);
      expect(source?.partitions).to.equal(2);
      expect(source?.overrides).to.deep.equal([]);

      const second = await createTopology(admin, options);
      expect(second.changes).to.deep.equal([]);
      expect(second.leftAlone).to.deep.equal([]);
      expect(second.unchanged).to.deep.equal(topology.allTopics);
    });
  });

  it('changes nothing in a dry run', async () => {
    await withTopologyAdmin(connection(), async (admin) => {
      const report = await createTopology(admin, options, { dryRun: true });
      expect(report.dryRun).to.equal(true);
      expect(report.changes).to.have.length(4);
      const observed = await readCluster(admin, topology.allTopics);
      expect(observed.topics.size).to.equal(0);
    });
  });

  it('reports drift, and applies it only when asked', async () => {
    const [tier] = topology.tierTopics as [string];
    await withAdmin((admin) =>
      admin.createTopics(
        [
          {
            topic: tier,
            partitions: 1,
            configs: { 'retention.ms': String(day), 'segment.ms': '3600000' },
          },
        ],
        { waitForLeaders: true },
      ),
    );
    await withTopologyAdmin(connection(), async (admin) => {
      const left = await createTopology(admin, options);
      expect(left.changes.map((change) => change.kind)).to.not.include('add-partitions');
      expect(
        left.leftAlone.map(({ difference, reason }) => [difference.topic, difference.kind, reason]),
      ).to.deep.equal([
        [tier, 'too-few-partitions', 'drift-not-applied'],
        [tier, 'config', 'drift-not-applied'], // retention.ms
        [tier, 'config', 'drift-not-applied'], // max.message.bytes, without headroom
      ]);
      expect((await readCluster(admin, [tier])).topics.get(tier)?.partitions).to.equal(1);
      expect((await verifyTopology(admin, options)).matches).to.equal(false);

      const applied = await createTopology(admin, options, { applyDrift: true });
      expect(applied.changes).to.deep.include({
        kind: 'add-partitions',
        topic: tier,
        from: 1,
        to: 2,
      });
      const setConfigs = applied.changes.find((change) => change.kind === 'set-configs');
      expect(setConfigs).to.include({ topic: tier });
      expect(setConfigs).to.have.deep.property('resets', ['segment.ms']);

      const observed = (await readCluster(admin, [tier])).topics.get(tier);
      expect(observed?.partitions).to.equal(2);
      expect(observed?.configs['retention.ms']).to.equal(String(7 * day));
      expect(observed?.overrides).to.not.include('segment.ms');
      expect((await verifyTopology(admin, options)).differences).to.deep.equal([]);
    });
  });

  it('never shrinks partitions and reports it', async () => {
    await withTopologyAdmin(connection(), async (admin) => {
      await createTopology(admin, options);
      const fewer = compileTopologyOptions({
        tiers: topology.tiers,
        deadLetterTopic: topology.deadLetterTopic,
        partitions: 1,
      });
      const report = await createTopology(admin, fewer, { applyDrift: true });
      expect(report.changes).to.deep.equal([]);
      expect(report.leftAlone.map(({ difference }) => difference.kind)).to.deep.equal([
        'too-many-partitions',
        'too-many-partitions',
        'too-many-partitions',
      ]);
      expect(report.leftAlone.every(({ reason }) => reason === 'cannot-change')).to.equal(true);
    });
  });

  it('describes existing and missing topics, and deletes only what exists', async () => {
    await withTopologyAdmin(connection(), async (admin) => {
      const [tier] = topology.tierTopics as [string];
      await withAdmin((kafkaAdmin) =>
        kafkaAdmin.createTopics([{ topic: tier }], { waitForLeaders: true }),
      );
      const description = await describeTopology(admin, options);
      expect(description.brokerCount).to.be.greaterThan(0);
      expect(description.topics.map((topic) => [topic.name, topic.exists])).to.deep.equal([
        [tier, true],
        [topology.tierTopics[1], false],
        [topology.deadLetterTopic, false],
        [topology.sourceTopic, false],
      ]);

      const deletion = await deleteTopology(admin, options);
      expect(deletion.deleted).to.deep.equal([tier]);
      expect(deletion.absent).to.have.length(3);
      expect((await readCluster(admin, [tier])).topics.size).to.equal(0);
    });
  });

  it('refuses a replication factor above the broker count before changing anything', async () => {
    const tooMany = compileTopologyOptions({
      tiers: topology.tiers,
      deadLetterTopic: topology.deadLetterTopic,
      replicationFactor: 99,
    });
    await withTopologyAdmin(connection(), async (admin) => {
      const failure = await createTopology(admin, tooMany).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(ConfigError);
      expect((await readCluster(admin, topology.allTopics)).topics.size).to.equal(0);
    });
  });
});

describe('connecting to a cluster that is not there', function () {
  this.timeout(30_000);
  const bound = 15_000;

  async function expectUnreachable(brokers: string[]): Promise<void> {
    const started = Date.now();
    const failure = await openTopologyAdmin(connection(brokers, silentLogger)).then(
      async (admin) => {
        await admin.disconnect();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(Date.now() - started).to.be.lessThan(bound);
    expect(failure).to.be.instanceOf(ClusterUnreachableError);
    expect((failure as ClusterUnreachableError).message).to.include(brokers.join(', '));
  }

  it('fails fast, naming the address, when nothing listens', async () => {
    await expectUnreachable(['127.0.0.1:1']);
  });

  it('fails within the bound when the port accepts connections but never answers', async () => {
    const listener = await listenSilently();
    try {
      await expectUnreachable([`127.0.0.1:${listener.port}`]);
    } finally {
      await listener.close();
    }
  });
});
