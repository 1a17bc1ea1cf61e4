import { createAdmin, createKafkaClient, type KafkaAdmin, type KafkaClient } from '@ricochet/kafka';
import type { Logger } from '@ricochet/core';
import { compileTopologyOptions, createTopology } from '@ricochet/topology';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
}

/**
 * The run's Kafka: one client configuration for every side (Ricochet and baselines alike), and
 * the topics the run created, so that they are all deleted at the end (the holding scenario alone
 * writes about a gigabyte).
 */
export class BenchKafka {
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly #created = new Set<string>();

  constructor(brokers: readonly string[], logger: Logger) {
    this.brokers = brokers;
    this.logger = logger;
  }

  client(clientId: string): KafkaClient {
    return createKafkaClient({ brokers: this.brokers, clientId, logger: this.logger });
  }

  /** Every topic on the broker. */
  async listTopics(): Promise<string[]> {
    return this.#withAdmin((admin) => admin.listTopics());
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    const created = await this.#withAdmin((admin) =>
      admin.createTopics(
        topics.map(({ topic, partitions }) => ({ topic, partitions })),
        { waitForLeaders: true },
      ),
    );
    if (!created) {
      // Another run's records would be counted as this run's.
      throw new Error(`a topic of ${topics.map(({ topic }) => topic).join(', ')} already exists`);
    }
    for (const { topic } of topics) {
      this.#created.add(topic);
    }
  }

  /**
   * Creates the blocked-keys and waiting topics of a group running with ordering `key-strict`, as
   * `ricochet topology create --group` does (their configs are topology's). The tier and the
   * dead-letter topic must exist already: they are the run's own, and are left as they are.
   */
  async createGroupTopics(
    groupId: string,
    topics: {
      readonly tier: string;
      readonly deadLetterTopic: string;
      readonly partitions: number;
    },
  ): Promise<void> {
    const options = compileTopologyOptions({
      tiers: topics.tier,
      deadLetterTopic: topics.deadLetterTopic,
      groups: [groupId],
      partitions: topics.partitions,
    });
    const groupTopics = options.groups.flatMap((group) => [
      group.blockedKeysTopic,
      group.waitingTopic,
      group.redeliveryTopic,
    ]);
    const report = await this.#withAdmin((admin) => createTopology(admin, options));
    const created = new Set(
      report.changes.flatMap((change) =>
        change.kind === 'create-topic' ? [change.topic.name] : [],
      ),
    );
    const existing = groupTopics.filter((topic) => !created.has(topic));
    if (existing.length > 0) {
      // Another run's state would be taken for this run's.
      throw new Error(`${existing.join(', ')} already existed`);
    }
    for (const topic of groupTopics) {
      this.#created.add(topic);
    }
  }

  /**
   * How many records were ever written to `topic`: the sum of its partitions' high watermarks
   * (the run's topics are new, and nothing writes to them transactionally, so offsets have no gaps).
   */
  async recordsIn(topic: string): Promise<number> {
    const offsets = await this.#withAdmin((admin) => admin.fetchTopicOffsets(topic));
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }

  /** Deletes every topic this run created; what cannot be deleted is reported, not hidden. */
  async deleteTopics(): Promise<void> {
    if (this.#created.size === 0) {
      return;
    }
    const topics = [...this.#created];
    await this.#withAdmin((admin) => admin.deleteTopics(topics, { timeoutMilliseconds: 30_000 }));
    this.#created.clear();
  }

  async #withAdmin<T>(use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    const admin = createAdmin(this.client('ricochet-bench-admin'));
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }
}
