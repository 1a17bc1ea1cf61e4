import type { CommittedOffset, KafkaAdmin } from './admin.js';
import type { KafkaClient } from './client.js';
import { createAdmin } from './create-admin.js';

/**
 * Reads what a consumer group committed for a partition, metadata included, which the consumer
 * itself does not expose: a new owner of a partition reads what the previous owner left there.
 */
export class CommittedOffsetReader {
  readonly #admin: KafkaAdmin;
  readonly #groupId: string;

  constructor(kafka: KafkaClient, groupId: string) {
    this.#admin = createAdmin(kafka);
    this.#groupId = groupId;
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
  }

  async disconnect(): Promise<void> {
    await this.#admin.disconnect();
  }

  async read(topic: string, partition: number): Promise<CommittedOffset> {
    const committed = await this.#admin.fetchCommittedOffsets(this.#groupId, topic);
    const found = committed.find((entry) => entry.partition === partition);
    return { offset: found?.offset, metadata: found?.metadata ?? null };
  }
}
