import { RicochetError } from '@ricochet/core';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Where a record was sent; `partition` is undefined for one the client never placed. */
export interface SentRecordPlace {
  readonly topic: string;
  readonly partition: number | undefined;
}

function keyOf({ topic, partition }: SentRecordPlace): string {
  return `${topic}\u0000${partition ?? ''}`;
}

/**
 * The partitions a send wrote to that its response does not cover. kafkajs (2.2.4, issue #1303)
 * can resolve a send without having written a partition whose leader died with the request in
 * flight: it retries only the brokers that have not answered, so a partition that moved to a
 * broker that had already answered for another partition is never sent again. Only a response
 * for every partition sent to acknowledges a send.
 */
export function unacknowledgedPartitions(
  sent: Iterable<SentRecordPlace>,
  acknowledged: Iterable<TopicPartition>,
): SentRecordPlace[] {
  const answered = new Set([...acknowledged].map(keyOf));
  const missing = new Map<string, SentRecordPlace>();
  for (const place of sent) {
    const key = keyOf(place);
    if (!answered.has(key)) {
      missing.set(key, place);
    }
  }
  return [...missing.values()];
}

/** A send resolved without an answer for some partitions it wrote to: they may hold nothing. */
export class UnacknowledgedPartitionsError extends RicochetError {
  static readonly code = 'PARTITIONS_NOT_ACKNOWLEDGED';
  readonly partitions: readonly SentRecordPlace[];

  constructor(partitions: readonly SentRecordPlace[]) {
    super(
      `the broker's answer covered no write to ${partitions
        .map(({ topic, partition }) => `${topic}-${partition ?? '(unplaced)'}`)
        .join(', ')} (a partition leader changed during the send)`,
      { code: UnacknowledgedPartitionsError.code, retriable: true },
    );
    this.partitions = partitions;
  }
}
