/**
 * The state of ordering `key-strict`, as kept in a group's blocked-keys topic (compacted): its
 * records' types, record keys and encoding. blocked-keys-decode.ts reads them back, and
 * waiting-records.ts owns the records that wait on the waiting topic; all three are pure.
 *
 * Everything read back is attacker controlled (anyone who may write the topic, and the keys and
 * headers of the records consumed): the decoder checks every field and rebuilds the record from
 * the fields it knows, so a value carries nothing else onwards. Fields added later within
 * version 1 are ignored by readers that do not know them; a change of meaning takes a new
 * version, which this reader refuses.
 */
import { RicochetError } from './errors.js';
import type { DeadLetterReason } from './headers.js';

/** The version written; records of another version are refused. */
export const blockedKeysRecordVersion = 1;

/**
 * How far before an entry's `waitingSince` a drain starts scanning the waiting topic: the
 * waiting topic's timestamps are the broker's append times, and the entry's are the owner's
 * clock, which may run ahead of the broker's.
 */
export const waitingScanMarginMilliseconds = 60_000;

/**
 * The header an owner puts on every record it writes to the blocked-keys topic (tombstones
 * included): its incarnation, which the group's commits name, so that a next owner tells a write
 * of the owner that committed from one of a member the group had moved on from.
 */
export const blockedKeysWriterHeader = 'blocked-keys-writer';

/**
 * `min.compaction.lag.ms` of the blocked-keys topic: how long a superseded record stays readable.
 * A next owner may need the version before one it does not believe (a late write of a former
 * owner); the owner writes its own over such a write within seconds, so a day is ample.
 */
export const blockedKeysMinCompactionLagMilliseconds = 86_400_000;

/**
 * How long, past the ladder's longest delay, the marker of a dead-lettered blocker is kept: a
 * copy of it a crash left in a tier comes back within that tier's delay unless a delay service is
 * down meanwhile; a day covers an outage of hours.
 */
export const releasedMarkerMarginMilliseconds = 86_400_000;

/** The record a key waits on: it is in the retry tiers. */
export interface BlockerPosition {
  /** The blocker's original offset, canonical decimal. */
  readonly offset: string;
  /** Epoch milliseconds when it started blocking the key. */
  readonly since: number;
}

/** Key K of (topic, partition) is blocked, or has records waiting behind it. */
export interface BlockedKeyEntry {
  readonly version: 1;
  readonly kind: 'entry';
  readonly topic: string;
  readonly partition: number;
  /** Base64 of the key's bytes; null for the null key of the partition. */
  readonly key: string | null;
  /** Null while the records waiting behind a former blocker are drained. */
  readonly blocker: BlockerPosition | null;
  /**
   * Epoch milliseconds when the first follower of the current chain was appended to the waiting
   * topic; a drain scans it from there (less `waitingScanMarginMilliseconds`).
   */
  readonly waitingSince: number | null;
  /** Followers appended to the waiting topic and not yet handled. */
  readonly followers: number;
  /** Original offset of the last follower appended. */
  readonly lastFollowerOffset: string | null;
  /** Original offset of the last follower a drain handled. */
  readonly handledThroughOffset: string | null;
  /** The drain dead-letters the followers (`predecessor-dead-lettered`) instead of handling them. */
  readonly deadLetterFollowers: boolean;
  readonly updatedAt: number;
  /**
   * Written before a drain calls the handler for the follower at `offset`, cleared by the write
   * after it: found by the next owner, that call never came back (the process died in it).
   * `crashes` counts the calls before it that never came back. Absent in entries written before
   * it existed: read as none.
   */
  readonly attempt?: FollowerAttempt;
  /**
   * An offset of the waiting topic at or before the first follower of the current chain not yet
   * handled: a drain reads from there rather than from `waitingSince` (less the margin), so it
   * reads only what was appended since its chain's first unhandled follower. Absent in entries
   * written before it existed, and while no follower waits: a drain then reads from
   * `waitingSince`.
   */
  readonly waitingFromOffset?: string;
}

/** A drained follower's handler call in progress (`BlockedKeyEntry.attempt`). */
export interface FollowerAttempt {
  /** The follower's original offset. */
  readonly offset: string;
  readonly crashes: number;
  /**
   * The call was made with no other record of the process in hand, so a crash during it was its
   * own; a crash during a call made among others is only a suspicion (absent: false).
   */
  readonly careful?: boolean;
}

/** An operator asks the owner to release key K of (topic, partition): `ricochet order release`. */
export interface ReleaseCommand {
  readonly version: 1;
  readonly kind: 'release';
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  readonly requestedAt: number;
}

/**
 * A released blocker: when a copy of it comes back from a tier it is dead-lettered, not handled.
 * An operator released it, or it was dead-lettered while another copy of it may still be in a
 * tier (a copy the crash guard dead-letters, or one that exhausted its retries, while a crash had
 * left a second): handled, that copy would succeed after later records of its key.
 */
export interface ReleasedBlocker {
  readonly version: 1;
  readonly kind: 'released';
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  /** The blocker's original offset. */
  readonly offset: string;
  readonly releasedAt: number;
  /**
   * Why: `released-by-operator`, or the reason the blocker's own dead letter gave. Absent in
   * markers written before it existed, which only an operator's release wrote: read as that.
   */
  readonly reason?: DeadLetterReason;
}

export type BlockedKeysRecord = BlockedKeyEntry | ReleaseCommand | ReleasedBlocker;

/** A record of the blocked-keys topic with a null value: what its record key named is gone. */
export interface BlockedKeysTombstone {
  readonly kind: 'tombstone';
  readonly recordKey: string;
}

/** A blocked-keys record, or a waiting record, does not check out; `problem` says what is wrong. */
export class BlockedKeysRecordError extends RicochetError {
  static readonly code = 'INVALID_BLOCKED_KEYS_RECORD';
  readonly problem: string;

  constructor(subject: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${subject}: ${problem}`, {
      code: BlockedKeysRecordError.code,
      retriable: false,
      cause: options.cause,
    });
    this.problem = problem;
  }
}

/** The key id of the null key (`keyId`). */
export const nullKeyId = 'null';

/** The key as the records carry it: base64 of its bytes, null for the null key. */
export function keyBase64(key: Buffer | null): string | null {
  return key === null ? null : key.toString('base64');
}

/** The key's bytes from its base64 text (`keyBase64`'s inverse). */
export function keyFromBase64(key: string | null): Buffer | null {
  return key === null ? null : Buffer.from(key, 'base64');
}

/**
 * The key's part of a record key: `null` for the null key, else `k` and the base64url of its
 * bytes, so that no byte of a key (attacker controlled) lands in a record key as it is, and the
 * empty key (`k`) stays apart from the null key.
 */
export function keyId(key: Buffer | null): string {
  return key === null ? nullKeyId : `k${key.toString('base64url')}`;
}

export function entryRecordKey(topic: string, partition: number, key: Buffer | null): string {
  return `entry/${topic}/${partition}/${keyId(key)}`;
}

export function releaseRecordKey(topic: string, partition: number, key: Buffer | null): string {
  return `release/${topic}/${partition}/${keyId(key)}`;
}

export function releasedRecordKey(topic: string, partition: number, offset: string): string {
  return `released/${topic}/${partition}/${offset}`;
}

/** The record key a blocked-keys record is written under. */
export function blockedKeysRecordKey(record: BlockedKeysRecord): string {
  switch (record.kind) {
    case 'entry':
      return entryRecordKey(record.topic, record.partition, keyFromBase64(record.key));
    case 'release':
      return releaseRecordKey(record.topic, record.partition, keyFromBase64(record.key));
    case 'released':
      return releasedRecordKey(record.topic, record.partition, record.offset);
  }
}

/**
 * The partition of the blocked-keys topic (and of the waiting topic) for source partition
 * `sourcePartition`, when that topic has `partitions` partitions.
 */
export function blockedKeysPartition(sourcePartition: number, partitions: number): number {
  if (!Number.isSafeInteger(partitions) || partitions <= 0) {
    throw new RicochetError(`a topic has a positive number of partitions, not ${partitions}`, {
      code: 'INVALID_PARTITION_COUNT',
    });
  }
  if (!Number.isSafeInteger(sourcePartition) || sourcePartition < 0) {
    throw new RicochetError(`a partition is a whole number from 0, not ${sourcePartition}`, {
      code: 'INVALID_PARTITION',
    });
  }
  return sourcePartition % partitions;
}

/** The record's value: JSON, its fields in a fixed order. */
export function encodeBlockedKeysRecord(record: BlockedKeysRecord): Buffer {
  const common = {
    version: blockedKeysRecordVersion,
    kind: record.kind,
    topic: record.topic,
    partition: record.partition,
    key: record.key,
  };
  switch (record.kind) {
    case 'entry':
      return Buffer.from(
        JSON.stringify({
          ...common,
          blocker:
            record.blocker === null
              ? null
              : { offset: record.blocker.offset, since: record.blocker.since },
          waitingSince: record.waitingSince,
          followers: record.followers,
          lastFollowerOffset: record.lastFollowerOffset,
          handledThroughOffset: record.handledThroughOffset,
          deadLetterFollowers: record.deadLetterFollowers,
          updatedAt: record.updatedAt,
          ...(record.attempt === undefined
            ? {}
            : {
                attempt: {
                  offset: record.attempt.offset,
                  crashes: record.attempt.crashes,
                  ...(record.attempt.careful === true ? { careful: true } : {}),
                },
              }),
          ...(record.waitingFromOffset === undefined
            ? {}
            : { waitingFromOffset: record.waitingFromOffset }),
        }),
      );
    case 'release':
      return Buffer.from(JSON.stringify({ ...common, requestedAt: record.requestedAt }));
    case 'released':
      return Buffer.from(
        JSON.stringify({
          ...common,
          offset: record.offset,
          releasedAt: record.releasedAt,
          ...(record.reason === undefined ? {} : { reason: record.reason }),
        }),
      );
  }
}
