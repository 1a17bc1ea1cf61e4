// The admin port against the real broker: each operation Ricochet declares, and the errors it
// fails with. Topology's tests cover the same operations through topology; these pin the port.
import { expect } from 'chai';
import {
  AdminOperationError,
  CommittedOffsetReader,
  TopicDirectory,
  TopicFailuresError,
  type KafkaAdmin,
} from '@ricochet/kafka';
import { produceRecords, testKafka, testLogger, uniqueName, withAdmin } from '@ricochet/testing';
import { deleteTopicsIfPresent } from './topology-fixtures.js';

describe('the admin port against a real broker', function () {
  this.timeout(60_000);
  let topic: string;

  beforeEach(() => {
    topic = uniqueName('admin-port');
  });

  afterEach(async () => {
    await deleteTopicsIfPresent([topic]);
  });

  async function create(admin: KafkaAdmin): Promise<boolean> {
    return admin.createTopics(
      [{ topic, partitions: 2, replicationFactor: 1, configs: { 'retention.ms': '3600000' } }],
      { waitForLeaders: true, timeoutMilliseconds: 10_000 },
    );
  }

  /** Creates the topic, then writes one record to each partition listed (repeated: several). */
  async function createHolding(partitions: readonly number[]): Promise<void> {
    await withAdmin(create);
    await produceRecords(
      partitions.map((partition) => ({
        topic,
        partition,
        key: null,
        value: Buffer.from('v'),
        headers: {},
      })),
    );
  }

  it('creates a topic once, then answers that it already exists', async () => {
    await withAdmin(async (admin) => {
      expect(await create(admin)).to.equal(true);
      expect(await create(admin)).to.equal(false);
      expect(await admin.listTopics()).to.include(topic);
    });
  });

  it('creates topics side by side, each with a leader for every partition when it resolves', async () => {
    // A KRaft broker answers metadata for a topic it has just created with
    // UNKNOWN_TOPIC_OR_PARTITION until the topic is published to its metadata cache; kafkajs's
    // wait for leaders failed on that answer (29 of 40 creations like these on this machine).
    const topics = Array.from({ length: 40 }, (_, index) => uniqueName(`admin-side-${index}`));
    try {
      await Promise.all(
        topics.map((name) =>
          withAdmin(async (admin) => {
            expect(
              await admin.createTopics([{ topic: name, partitions: 12, replicationFactor: 1 }], {
                waitForLeaders: true,
              }),
            ).to.equal(true);
            const [description] = await admin.describeTopics([name]);
            expect(description?.partitions.every(({ leader }) => leader !== undefined)).to.equal(
              true,
            );
          }),
        ),
      );
    } finally {
      await deleteTopicsIfPresent(topics);
    }
  });

  it('describes the cluster, a topic and its configs, with where each config comes from', async () => {
    await withAdmin(async (admin) => {
      await create(admin);
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).to.be.greaterThan(0);
      const [description] = await admin.describeTopics([topic]);
      expect(description?.name).to.equal(topic);
      expect(description?.partitions.map(({ partition }) => partition).sort()).to.deep.equal([
        0, 1,
      ]);
      expect(description?.partitions[0]?.replicas).to.have.length(1);
      // One broker: it leads every partition, and is its only in-sync replica.
      expect(description?.partitions[0]?.leader).to.equal(cluster.brokers[0]?.nodeId);
      expect(description?.partitions[0]?.inSyncReplicas).to.deep.equal([
        cluster.brokers[0]?.nodeId,
      ]);
      const [configs] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
      expect(configs?.type).to.equal('topic');
      expect(configs?.name).to.equal(topic);
      const retention = configs?.entries.find((entry) => entry.name === 'retention.ms');
      expect(retention).to.deep.equal({ name: 'retention.ms', value: '3600000', source: 'topic' });
      const cleanup = configs?.entries.find((entry) => entry.name === 'cleanup.policy');
      expect(cleanup?.source).to.not.equal('topic');
      const brokerId = String(cluster.brokers[0]?.nodeId);
      const [broker] = await admin.describeConfigs([
        { type: 'broker', name: brokerId, configNames: ['message.max.bytes'] },
      ]);
      expect(broker?.type).to.equal('broker');
      expect(broker?.entries.map((entry) => entry.name)).to.deep.equal(['message.max.bytes']);
      expect(Number(broker?.entries[0]?.value)).to.be.greaterThan(0);
    });
  });

  it('grows partitions and replaces topic configs', async () => {
    await withAdmin(async (admin) => {
      await create(admin);
      await admin.createPartitions([{ topic, count: 3 }], { timeoutMilliseconds: 10_000 });
      await admin.replaceTopicConfigs([{ topic, configs: { 'segment.ms': '7200000' } }]);
      const [description] = await admin.describeTopics([topic]);
      expect(description?.partitions).to.have.length(3);
      const [configs] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
      const overrides = configs?.entries.filter((entry) => entry.source === 'topic');
      // Replaced, not merged: the retention set at creation is gone.
      expect(overrides?.map(({ name, value }) => ({ name, value }))).to.deep.equal([
        { name: 'segment.ms', value: '7200000' },
      ]);
    });
  });

  it('reads watermarks, and committed offsets of a group that committed nothing', async () => {
    await createHolding([0, 0, 1]);
    await withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(
        offsets
          .map(({ partition, low, high }) => ({ partition, low, high }))
          .sort((a, b) => a.partition - b.partition),
      ).to.deep.equal([
        { partition: 0, low: '0', high: '2' },
        { partition: 1, low: '0', high: '1' },
      ]);
      const committed = await admin.fetchCommittedOffsets(uniqueName('nobody'), topic);
      expect(committed.map(({ offset, metadata }) => ({ offset, metadata }))).to.deep.equal([
        { offset: undefined, metadata: null },
        { offset: undefined, metadata: null },
      ]);
    });
    const reader = new CommittedOffsetReader(testKafka(), uniqueName('nobody'));
    await reader.connect();
    try {
      expect(await reader.read(topic, 0)).to.deep.equal({ offset: undefined, metadata: null });
    } finally {
      await reader.disconnect();
    }
  });

  it('reads the watermarks of a topic it has just created', async () => {
    // librdkafka asks each partition's leader, which can answer NOT_LEADER_OR_FOLLOWER for a
    // moment after the metadata names it: its answer for such a partition was offset -1.
    const topics = Array.from({ length: 5 }, (_, index) => uniqueName(`admin-fresh-${index}`));
    try {
      await withAdmin(async (admin) => {
        for (const name of topics) {
          await admin.createTopics([{ topic: name, partitions: 12, replicationFactor: 1 }], {
            waitForLeaders: true,
          });
          const offsets = await admin.fetchTopicOffsets(name);
          expect(offsets).to.have.length(12);
          for (const { low, high } of offsets) {
            expect({ low, high }).to.deep.equal({ low: '0', high: '0' });
          }
        }
      });
    } finally {
      await deleteTopicsIfPresent(topics);
    }
  });

  it('finds the first offset at or after a timestamp, or the next offset when there is none', async () => {
    const before = Date.now() - 1_000;
    await createHolding([0, 0]);
    await withAdmin(async (admin) => {
      const byPartition = async (timestamp: number) =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, timestamp))
          .map(({ partition, offset }) => ({ partition, offset }))
          .sort((a, b) => a.partition - b.partition);
      expect(await byPartition(before)).to.deep.equal([
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
      ]);
      expect(await byPartition(Date.now() + 60_000)).to.deep.equal([
        { partition: 0, offset: '2' },
        { partition: 1, offset: '0' },
      ]);
    });
  });

  it('names each topic the broker refused, as not retriable', async () => {
    const failure = await withAdmin((admin) =>
      admin.createTopics([{ topic, partitions: 1, replicationFactor: 99 }], {
        waitForLeaders: true,
      }),
    ).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(TopicFailuresError);
    const { failures, retriable, operation } = failure as TopicFailuresError;
    expect(failures).to.deep.equal([
      { topic, reason: 'INVALID_REPLICATION_FACTOR', retriable: false },
    ]);
    expect(retriable).to.equal(false);
    expect(operation).to.equal('createTopics');
  });

  it('fails with an AdminOperationError, and the directory answers that a topic is missing', async () => {
    const directory = await withAdmin(async (admin) => {
      const lookup = await new TopicDirectory(admin, testLogger('topics')).lookup(topic);
      expect(lookup).to.deep.equal({ exists: false });
      await create(admin);
      return new TopicDirectory(admin, testLogger('topics')).lookup(topic);
    });
    expect(directory).to.deep.equal({ exists: true, partitions: 2 });
    const failure = await withAdmin((admin) =>
      admin.deleteTopics([uniqueName('never-created')], { timeoutMilliseconds: 5_000 }),
    ).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(AdminOperationError);
    expect((failure as AdminOperationError).operation).to.equal('deleteTopics');
  });
});
