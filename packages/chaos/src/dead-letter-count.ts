import type { Logger } from '@ricochet/core';
import { createAdmin, createKafkaClient } from '@ricochet/kafka';

/**
 * How many records were ever published to the dead-letter topic: the sum of its partitions' high
 * watermarks (the topic is new in every run). More than the archive holds means the archive
 * skipped copies: a dead letter read again, or a record dead-lettered twice.
 */
export async function countDeadLetters(
  brokers: readonly string[],
  dlqTopic: string,
  logger: Logger,
): Promise<number> {
  const admin = createAdmin(
    createKafkaClient({ brokers, clientId: 'ricochet-chaos-count', logger }),
  );
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}
