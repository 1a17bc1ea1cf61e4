import { expect } from 'chai';
import { blockedKeysTopic, waitingTopic } from '@ricochet/core';
import { testBrokers, uniqueName, withAdmin } from '@ricochet/testing';
import {
  deleteTopicsIfPresent,
  ricochet,
  uniqueTopology,
  type TestTopology,
} from './topology-fixtures.js';

async function partitionsOf(topic: string): Promise<number> {
  const [description] = await withAdmin((admin) => admin.describeTopics([topic]));
  return description?.partitions.length ?? 0;
}

describe('ricochet topology (in-process)', function () {
  this.timeout(60_000);
  let topology: TestTopology;
  /** The flags naming this test's topics and broker. */
  let topics: string[];

  beforeEach(() => {
    topology = uniqueTopology();
    topics = [
      '--brokers',
      testBrokers().join(','),
      '--tiers',
      topology.tiers,
      '--dlq',
      topology.deadLetterTopic,
    ];
  });

  afterEach(async () => {
    await deleteTopicsIfPresent(topology.allTopics);
  });

  it('creates the topics, and a second run says nothing changed', async () => {
    const first = await ricochet([
      'topology',
      'create',
      ...topics,
      '--topic',
      topology.sourceTopic,
    ]);
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(first.stdout).to.include('made 4 changes');
    for (const topic of topology.allTopics) {
      expect(first.stdout).to.include(`create ${topic} (3 partitions`);
    }
    const second = await ricochet([
      'topology',
      'create',
      ...topics,
      '--topic',
      topology.sourceTopic,
    ]);
    expect(second.exitCode).to.equal(0);
    expect(second.stdout).to.match(/^nothing to change: .* already match the plan\n$/);
  });

  it('reads the brokers from KAFKA_BROKERS in its environment', async () => {
    const [, , ...withoutBrokers] = topics;
    const run = await ricochet(['topology', 'create', ...withoutBrokers], {
      KAFKA_BROKERS: testBrokers().join(','),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include('made 3 changes');
  });

  it('changes nothing in a dry run, and takes --topic repeated or comma-separated', async () => {
    const sources = ['--topic', topology.sourceTopic, '--topic', 'dry-a,dry-b'];
    const run = await ricochet(['topology', 'create', ...topics, ...sources, '--dry-run']);
    expect(run.exitCode).to.equal(0);
    expect(run.stdout).to.include('dry run, nothing changed; would make 6 changes');
    for (const source of [topology.sourceTopic, 'dry-a', 'dry-b']) {
      expect(run.stdout).to.include(`create ${source} (3 partitions`);
    }
    const description = await ricochet(['topology', 'describe', ...topics, ...sources, '--json']);
    const parsed = JSON.parse(description.stdout) as { topics: { exists: boolean }[] };
    expect(parsed.topics.map((topic) => topic.exists)).to.deep.equal(Array(6).fill(false));
  });

  it('reports drift, and grows partitions only with --apply-drift', async () => {
    const [tier] = topology.tierTopics as [string];
    await withAdmin((admin) =>
      admin.createTopics(
        [{ topic: tier, partitions: 1, configs: { 'retention.ms': '86400000' } }],
        {
          waitForLeaders: true,
        },
      ),
    );
    const left = await ricochet(['topology', 'create', ...topics, '--partitions', '3']);
    expect(left.exitCode).to.equal(0);
    expect(left.stdout).to.include('drift left alone (rerun with --apply-drift to change it):');
    expect(left.stdout).to.include(`${tier}: 1 partition, plan says 3`);
    expect(left.stdout).to.include(
      `${tier}: retention.ms is 86400000 (1d), plan says 604800000 (7d)`,
    );
    expect(await partitionsOf(tier)).to.equal(1);

    const applied = await ricochet(['topology', 'create', ...topics, '--apply-drift']);
    expect(applied.exitCode, applied.stderr).to.equal(0);
    expect(applied.stdout).to.include(`grow ${tier} from 1 partition to 3`);
    expect(applied.stdout).to.include(`set ${tier} configs retention.ms=604800000 (7d)`);
    expect(await partitionsOf(tier)).to.equal(3);

    const verified = await ricochet(['topology', 'verify', ...topics]);
    expect(verified.exitCode, verified.stdout).to.equal(0);
  });

  it('verify exits 1 listing the differences, and 0 with a short OK when matched', async () => {
    const missing = await ricochet(['topology', 'verify', ...topics]);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stdout).to.include('the cluster differs from the plan in 3 ways:');
    expect(missing.stdout).to.include(`${topology.deadLetterTopic}: does not exist`);

    await ricochet(['topology', 'create', ...topics]);
    const matched = await ricochet(['topology', 'verify', ...topics]);
    expect(matched.exitCode).to.equal(0);
    expect(matched.stdout).to.match(/^OK: .* match the plan\n$/);

    const drifted = await ricochet([
      'topology',
      'verify',
      ...topics,
      '--retention',
      '30d',
      '--json',
    ]);
    expect(drifted.exitCode).to.equal(1);
    const report = JSON.parse(drifted.stdout) as {
      matches: boolean;
      differences: { kind: string; topic: string; config: string; description: string }[];
    };
    expect(report.matches).to.equal(false);
    expect(
      report.differences.map((difference) => [difference.topic, difference.config]),
    ).to.deep.equal(topology.tierTopics.map((topic) => [topic, 'retention.ms']));
  });

  it('describes the topics as a table or as JSON', async () => {
    await ricochet(['topology', 'create', ...topics, '--partitions', '2']);
    const table = await ricochet(['topology', 'describe', ...topics]);
    expect(table.exitCode).to.equal(0);
    const [heading, firstRow] = table.stdout.split('\n');
    expect(heading).to.match(/^TOPIC\s+ROLE\s+PARTITIONS\s+REPLICATION\s+RETENTION\s+MIN ISR$/);
    expect(firstRow).to.match(
      new RegExp(`^${topology.tierTopics[0]}\\s+tier\\s+2\\s+\\d+\\s+7d\\s+\\d+$`),
    );
    expect(heading?.indexOf('ROLE')).to.equal(firstRow?.indexOf('tier'));

    const json = await ricochet(['topology', 'describe', ...topics, '--json']);
    expect(json.exitCode).to.equal(0);
    const description = JSON.parse(json.stdout) as { brokerCount: number };
    // The replication factor defaults to min(3, brokers), so it follows the test cluster.
    const replicationFactor = Math.min(3, description.brokerCount);
    const shape = {
      exists: true,
      partitions: 2,
      replicationFactor,
      minInsyncReplicas: Math.max(1, replicationFactor - 1),
    };
    expect(description).to.deep.equal({
      brokerCount: description.brokerCount,
      topics: [
        ...topology.tierTopics.map((name) => ({
          name,
          role: 'tier',
          ...shape,
          retentionMilliseconds: 7 * 86_400_000,
          cleanupPolicy: 'delete',
          timestampType: 'CreateTime',
        })),
        {
          name: topology.deadLetterTopic,
          role: 'dead-letter',
          ...shape,
          retentionMilliseconds: 14 * 86_400_000,
          cleanupPolicy: 'delete',
          timestampType: 'CreateTime',
        },
      ],
    });
  });

  it('--group: creates, verifies and describes the blocked-keys and waiting topics, reporting their drift', async () => {
    const group = uniqueName('strict-group');
    const blockedKeys = blockedKeysTopic(group);
    const waiting = waitingTopic(group);
    const groupTopics = [...topics, '--group', group];
    try {
      // A blocked-keys topic someone made by hand, deleting instead of compacting.
      await withAdmin((admin) =>
        admin.createTopics(
          [{ topic: blockedKeys, partitions: 2, configs: { 'cleanup.policy': 'delete' } }],
          { waitForLeaders: true },
        ),
      );
      await ricochet(['topology', 'create', ...topics, '--partitions', '2']);
      const drifted = await ricochet(['topology', 'verify', ...groupTopics, '--partitions', '2']);
      expect(drifted.exitCode, drifted.stdout).to.equal(1);
      expect(drifted.stdout).to.include(
        `${blockedKeys}: cleanup.policy is delete, plan says compact`,
      );
      expect(drifted.stdout).to.include(`${waiting}: does not exist`);

      const created = await ricochet([
        'topology',
        'create',
        ...groupTopics,
        '--partitions',
        '2',
        '--apply-drift',
      ]);
      expect(created.exitCode, created.stderr).to.equal(0);
      expect(created.stdout).to.include(`create ${waiting} (2 partitions`);
      expect(created.stdout).to.include('message.timestamp.type=LogAppendTime');
      expect(created.stdout).to.include(`set ${blockedKeys} configs`);
      const verified = await ricochet(['topology', 'verify', ...groupTopics, '--partitions', '2']);
      expect(verified.exitCode, verified.stdout).to.equal(0);

      const table = await ricochet(['topology', 'describe', ...groupTopics]);
      expect(table.stdout).to.match(
        new RegExp(`^${blockedKeys}\\s+blocked-keys\\s+2\\s+\\d+\\s+compacted`, 'm'),
      );
      expect(table.stdout).to.match(new RegExp(`^${waiting}\\s+waiting\\s+2\\s+\\d+\\s+7d`, 'm'));
      const json = JSON.parse(
        (await ricochet(['topology', 'describe', ...groupTopics, '--json'])).stdout,
      ) as { topics: { name: string; cleanupPolicy?: string; timestampType?: string }[] };
      const described = new Map(json.topics.map((topic) => [topic.name, topic]));
      expect(described.get(blockedKeys)?.cleanupPolicy).to.equal('compact');
      expect(described.get(waiting)?.timestampType).to.equal('LogAppendTime');
    } finally {
      await deleteTopicsIfPresent([blockedKeys, waiting]);
    }
  });

  it('delete refuses without --yes and deletes with it', async () => {
    await ricochet(['topology', 'create', ...topics]);
    const refused = await ricochet(['topology', 'delete', ...topics]);
    expect(refused.exitCode).to.equal(2);
    expect(refused.stderr).to.include('--yes');
    expect(await partitionsOf(topology.deadLetterTopic)).to.equal(3);

    const deleted = await ricochet(['topology', 'delete', ...topics, '--yes']);
    expect(deleted.exitCode, deleted.stderr).to.equal(0);
    expect(deleted.stdout).to.include(
      `deleted ${[...topology.tierTopics, topology.deadLetterTopic].join(', ')}`,
    );
    const verified = await ricochet(['topology', 'verify', ...topics, '--json']);
    expect(JSON.parse(verified.stdout)).to.have.property('differences').with.length(3);
  });
});
