/** Reads a partition's blocked-keys records, decoded, for its key-strict state loads and polls. */
import {
  BlockedKeysRecordError,
  blockedKeysWriterHeader,
  decodeBlockedKeysRecord,
  readHeaderText,
  type ConsumedRecord,
  type Logger,
} from '@ricochet/core';
import type { PartitionReader } from '@ricochet/kafka';
import type { ReadStateRecord } from './key-strict-fence.js';

/** Where the state of source partition (topic, partition) is kept, and how it is read. */
export interface StateSource {
  readonly reader: PartitionReader;
  readonly logger: Logger;
  readonly blockedKeysTopic: string;
  /** The partition of the blocked-keys topic the source partition's state is kept in. */
  readonly blockedKeysPartition: number;
  readonly topic: string;
  readonly partition: number;
}

/**
 * Reads `from..until` of the partition's blocked-keys partition, handing each record about the
 * partition (tombstones included) to `onRecord`; returns the offset read through. A record that
 * does not read (anyone with write access can write one) is logged and passed over.
 */
export async function readState(
  source: StateSource,
  from: string,
  until: string,
  onRecord: (read: ReadStateRecord) => void,
): Promise<string> {
  const { topic, partition } = source;
  const prefixes = ['entry', 'release', 'released'].map((kind) => `${kind}/${topic}/${partition}/`);
  let next = from;
  await source.reader.read(
    source.blockedKeysTopic,
    source.blockedKeysPartition,
    from,
    until,
    (chunk: readonly ConsumedRecord[]) => {
      for (const raw of chunk) {
        next = (BigInt(raw.offset) + 1n).toString();
        const recordKey = raw.key?.toString('utf8') ?? '';
        if (!prefixes.some((prefix) => recordKey.startsWith(prefix))) {
          continue;
        }
        let decoded;
        try {
          decoded = decodeBlockedKeysRecord(recordKey, raw.value);
        } catch (error) {
          if (!(error instanceof BlockedKeysRecordError)) {
            throw error;
          }
          source.logger.warn('a record of the blocked-keys topic does not read; passing over it', {
            topic: raw.topic,
            partition: raw.partition,
            offset: raw.offset,
            error,
          });
          continue;
        }
        onRecord({
          offset: raw.offset,
          recordKey,
          writer: readHeaderText(raw.headers, blockedKeysWriterHeader),
          record: decoded.kind === 'tombstone' ? undefined : decoded,
        });
      }
    },
  );
  return next;
}
