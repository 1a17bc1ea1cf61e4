import type { ArchiveStore } from '@ricochet/archive';
import { createDlqArchiver, type DlqArchiver } from '@ricochet/dlq-archiver';
import { testConnection, testLogger, testMaxWaitMilliseconds } from '@ricochet/testing';

/**
 * An in-process archiver of `dlqTopic` for `groupId` on `store`, not yet started. It backs off
 * from 100 to 400 ms after a store failure, so store-fault tests see several tries quickly.
 */
export function quickArchiver(store: ArchiveStore, dlqTopic: string, groupId: string): DlqArchiver {
  return createDlqArchiver({
    ...testConnection(),
    maxWaitMilliseconds: testMaxWaitMilliseconds,
    dlqTopic,
    groupId,
    store,
    logger: testLogger('dlq'),
    searchableText: async () => null,
    initialStoreBackoffMilliseconds: 100,
    maxStoreBackoffMilliseconds: 400,
  });
}

/** `count` dead letters for `topic`, keyed `dead-<n>` for n from `from`: each says which it is. */
export function deadLetters(topic: string, from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    topic,
    key: Buffer.from(`dead-${from + index}`),
    value: Buffer.from(String(from + index)),
    headers: {},
  }));
}
