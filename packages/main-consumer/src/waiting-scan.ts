import {
  BlockedKeysRecordError,
  fromWaitingRecord,
  type ConsumedRecord,
  type Logger,
} from '@ricochet/core';
import type { PartitionReader } from '@ricochet/kafka';

/** A follower read back from the waiting topic, at its own original position. */
export interface WaitingFollower {
  readonly record: ConsumedRecord;
  /** Its offset in the waiting topic. */
  readonly waitingOffset: string;
}

/** Where a scan reads, and which followers it keeps. */
export interface FollowerScan {
  /** The partition of the waiting topic. */
  readonly partition: number;
  readonly from: string;
  readonly until: string;
  /** It stops once it kept this many. */
  readonly max: number;
  /** Whether a follower (at its own original position) is one to keep. */
  readonly isFollower: (follower: ConsumedRecord) => boolean;
}

/**
 * Reads a partition of the waiting topic from `from` towards `until` for the followers
 * `isFollower` keeps, in order, at most `max` of them; `next` is where to read on. A waiting
 * record that does not read (anyone with write access to the topic can write one) is logged and
 * passed over.
 */
export async function scanFollowers(
  source: {
    readonly reader: PartitionReader;
    readonly waitingTopic: string;
    readonly logger: Logger;
  },
  scan: FollowerScan,
): Promise<{ readonly followers: WaitingFollower[]; readonly next: string }> {
  const followers: WaitingFollower[] = [];
  let next = scan.from;
  if (BigInt(scan.from) >= BigInt(scan.until)) {
    return { followers, next };
  }
  await source.reader.read(
    source.waitingTopic,
    scan.partition,
    scan.from,
    scan.until,
    (records) => {
      for (const waitingRecord of records) {
        next = (BigInt(waitingRecord.offset) + 1n).toString();
        const follower = followerOf(waitingRecord, source.logger);
        if (follower !== undefined && scan.isFollower(follower)) {
          followers.push({ record: follower, waitingOffset: waitingRecord.offset });
          if (followers.length >= scan.max) {
            return false;
          }
        }
      }
      return true;
    },
  );
  return { followers, next };
}

function followerOf(waitingRecord: ConsumedRecord, logger: Logger): ConsumedRecord | undefined {
  try {
    return fromWaitingRecord(waitingRecord);
  } catch (error) {
    if (!(error instanceof BlockedKeysRecordError)) {
      throw error;
    }
    logger.warn('a record of the waiting topic does not read; passing over it', {
      topic: waitingRecord.topic,
      partition: waitingRecord.partition,
      offset: waitingRecord.offset,
      error,
    });
    return undefined;
  }
}
