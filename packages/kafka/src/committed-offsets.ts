import type kafkajs from 'kafkajs';

/** A partition's committed offset and the metadata committed with it. */
export interface CommittedOffset {
  /** The next record to read; undefined when the group has committed nothing for the partition. */
  readonly offset: string | undefined;
  readonly metadata: string | null;
}

/**
 * Reads what a consumer group committed for a partition, metadata included, which the consumer
 * itself does not expose: a new owner of a partition reads what the previous owner left there.
 */
export class CommittedOffsetReader {
  readonly #admin: kafkajs.Admin;
  readonly #groupId: string;

  constructor(kafka: kafkajs.Kafka, groupId: string) {
    this.#admin = kafka.admin();
    this.#groupId = groupId;
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
  }

  async disconnect(): Promise<void> {
    await this.#admin.disconnect();
  }

  async read(topic: string, partition: number): Promise<CommittedOffset> {
    const [committed] = await this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] });
    const found = committed?.partitions.find((entry) => entry.partition === partition);
    // kafkajs reports "nothing committed" as offset -1.
    const offset = found === undefined || found.offset === '-1' ? undefined : found.offset;
    return { offset, metadata: found?.metadata ?? null };
  }
}
