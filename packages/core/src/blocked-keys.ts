/**
 * The state of ordering `key-strict`, as kept in a group's blocked-keys topic (compacted), and
 * the records that wait on its waiting topic. This module owns both formats; it is pure.
 *
 * Everything read back is attacker controlled (anyone who may write the topic, and the keys and
 * headers of the records consumed): the decoder checks every field and rebuilds the record from
 * the fields it knows, so a value carries nothing else onwards. Fields added later within
 * version 1 are ignored by readers that do not know them; a change of meaning takes a new
 * version, which this reader refuses.
 */
import { RicochetError } from './errors.js';
import {
  RetryHeader,
  WaitingHeader,
  deadLetterReasons,
  readHeaderText,
  isRedelivery,
  type DeadLetterReason,
} from './headers.js';
import type { ConsumedRecord, HeaderValue, OutgoingRecord } from './record.js';
import { escapeTerminalText, truncateText } from './text.js';
import { isLegalTopicName } from './topic-names.js';

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

const maxPartition = 2 ** 31 - 1;
const maxOffset = 2n ** 63n - 1n;
/** The largest time a JavaScript Date can hold. */
const maxEpochMilliseconds = 8_640_000_000_000_000;
const offsetPattern = /^(0|[1-9][0-9]{0,18})$/;
const partitionPattern = /^(0|[1-9][0-9]{0,9})$/;
const nullKeyId = 'null';

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

/**
 * Reads a record of the blocked-keys topic: a tombstone (null value) or one of the three kinds.
 * Throws a BlockedKeysRecordError naming what is wrong: a record key of no known form, a value
 * that is not JSON, a field missing or out of range, or a value that does not belong under its
 * record key.
 */
export function decodeBlockedKeysRecord(
  recordKey: string,
  value: Buffer | null,
): BlockedKeysTombstone | BlockedKeysRecord {
  const subject = `blocked-keys record ${quote(recordKey)}`;
  if (value === null) {
    checkRecordKeyForm(recordKey, subject);
    return { kind: 'tombstone', recordKey };
  }
  const record = decodeValue(value, subject);
  if (blockedKeysRecordKey(record) !== recordKey) {
    throw new BlockedKeysRecordError(
      subject,
      `its value belongs under the record key ${quote(blockedKeysRecordKey(record))}`,
    );
  }
  return record;
}

const recordKeyPattern =
  /^(?:(?:entry|release)\/([a-zA-Z0-9._-]+)\/([0-9]+)\/(null|k[A-Za-z0-9_-]*)|released\/([a-zA-Z0-9._-]+)\/([0-9]+)\/([0-9]+))$/;

function checkRecordKeyForm(recordKey: string, subject: string): void {
  const match = recordKeyPattern.exec(recordKey);
  const problem = (): never => {
    throw new BlockedKeysRecordError(
      subject,
      'the record key is not entry/<topic>/<partition>/<keyId>, release/<topic>/<partition>/<keyId> or released/<topic>/<partition>/<offset>',
    );
  };
  if (match === null) {
    return problem();
  }
  const [, topic, partition, id, releasedTopic, releasedPartition, offset] = match;
  if (
    !isLegalTopicName(topic ?? releasedTopic ?? '') ||
    !isPartitionText(partition ?? releasedPartition ?? '')
  ) {
    return problem();
  }
  if (id !== undefined && id !== nullKeyId) {
    const encoded = id.slice(1);
    if (Buffer.from(encoded, 'base64url').toString('base64url') !== encoded) {
      return problem();
    }
  }
  if (offset !== undefined && !isOffset(offset)) {
    return problem();
  }
}

function decodeValue(value: Buffer, subject: string): BlockedKeysRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new BlockedKeysRecordError(subject, 'the value is not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BlockedKeysRecordError(subject, 'the value is not a JSON object');
  }
  const fields = new FieldReader(parsed as Record<string, unknown>, subject);
  if (fields.raw('version') !== blockedKeysRecordVersion) {
    throw new BlockedKeysRecordError(
      subject,
      `version is ${quote(String(fields.raw('version')))}; this reader knows version ${blockedKeysRecordVersion}`,
    );
  }
  const common = {
    version: blockedKeysRecordVersion,
    topic: fields.topic('topic'),
    partition: fields.partition('partition'),
    key: fields.key('key'),
  } as const;
  const kind = fields.raw('kind');
  switch (kind) {
    case 'entry':
      return fields.checkEntry({
        ...common,
        kind,
        blocker: fields.blocker('blocker'),
        waitingSince: fields.nullable('waitingSince', (name) => fields.epoch(name)),
        followers: fields.count('followers'),
        lastFollowerOffset: fields.nullable('lastFollowerOffset', (name) => fields.offset(name)),
        handledThroughOffset: fields.nullable('handledThroughOffset', (name) =>
          fields.offset(name),
        ),
        deadLetterFollowers: fields.boolean('deadLetterFollowers'),
        updatedAt: fields.epoch('updatedAt'),
        ...fields.attempt('attempt'),
        ...fields.optionalOffset('waitingFromOffset'),
      });
    case 'release':
      return { ...common, kind, requestedAt: fields.epoch('requestedAt') };
    case 'released':
      return {
        ...common,
        kind,
        offset: fields.offset('offset'),
        releasedAt: fields.epoch('releasedAt'),
        ...fields.reason('reason'),
      };
    default:
      throw new BlockedKeysRecordError(
        subject,
        `kind is ${quote(String(kind))}, not entry, release or released`,
      );
  }
}

class FieldReader {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly subject: string,
  ) {}

  raw(name: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.fields, name) ? this.fields[name] : undefined;
  }

  fail(name: string, expected: string): never {
    const value = this.raw(name);
    const shown = value === undefined ? 'missing' : quote(JSON.stringify(value));
    throw new BlockedKeysRecordError(this.subject, `${name} is ${shown}; expected ${expected}`);
  }

  topic(name: string): string {
    const value = this.raw(name);
    return typeof value === 'string' && isLegalTopicName(value)
      ? value
      : this.fail(name, 'a topic name');
  }

  partition(name: string): number {
    const value = this.raw(name);
    return Number.isSafeInteger(value) &&
      (value as number) >= 0 &&
      (value as number) <= maxPartition
      ? (value as number)
      : this.fail(name, `a partition from 0 to ${maxPartition}`);
  }

  key(name: string): string | null {
    const value = this.raw(name);
    if (value === null) {
      return null;
    }
    return typeof value === 'string' && Buffer.from(value, 'base64').toString('base64') === value
      ? value
      : this.fail(name, 'the base64 of the key, or null for the null key');
  }

  offset(name: string): string {
    const value = this.raw(name);
    return isOffset(value) ? value : this.fail(name, 'an offset as a canonical decimal string');
  }

  epoch(name: string): number {
    const value = this.raw(name);
    return Number.isSafeInteger(value) &&
      (value as number) >= 0 &&
      (value as number) <= maxEpochMilliseconds
      ? (value as number)
      : this.fail(name, 'epoch milliseconds');
  }

  count(name: string): number {
    const value = this.raw(name);
    return Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : this.fail(name, 'a whole number from 0');
  }

  boolean(name: string): boolean {
    const value = this.raw(name);
    return typeof value === 'boolean' ? value : this.fail(name, 'true or false');
  }

  nullable<T>(name: string, read: (name: string) => T): T | null {
    return this.raw(name) === null ? null : read(name);
  }

  blocker(name: string): BlockerPosition | null {
    const value = this.raw(name);
    if (value === null) {
      return null;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      return this.fail(name, 'null or an object with offset and since');
    }
    const inner = new FieldReader(value as Record<string, unknown>, this.subject);
    try {
      return { offset: inner.offset('offset'), since: inner.epoch('since') };
    } catch (error) {
      if (error instanceof BlockedKeysRecordError) {
        throw new BlockedKeysRecordError(this.subject, `${name}.${error.problem}`);
      }
      throw error;
    }
  }

  /** An optional offset: spread into the entry, so an absent one stays absent. */
  optionalOffset<Name extends string>(name: Name): { readonly [field in Name]?: string } {
    return (this.raw(name) === undefined ? {} : { [name]: this.offset(name) }) as {
      readonly [field in Name]?: string;
    };
  }

  /** An optional dead-letter reason: spread into the record, so an absent one stays absent. */
  reason(name: string): { readonly reason?: DeadLetterReason } {
    const value = this.raw(name);
    if (value === undefined) {
      return {};
    }
    return (deadLetterReasons as readonly unknown[]).includes(value)
      ? { reason: value as DeadLetterReason }
      : this.fail(name, 'a dead-letter reason, when present');
  }

  /** An optional `attempt`: spread into the entry, so an absent one stays absent. */
  attempt(name: string): { readonly attempt?: FollowerAttempt } {
    const value = this.raw(name);
    if (value === undefined) {
      return {};
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(name, 'an object with offset and crashes, when present');
    }
    const inner = new FieldReader(value as Record<string, unknown>, this.subject);
    try {
      const careful = inner.raw('careful') === undefined ? false : inner.boolean('careful');
      return {
        attempt: {
          offset: inner.offset('offset'),
          crashes: inner.count('crashes'),
          ...(careful ? { careful } : {}),
        },
      };
    } catch (error) {
      if (error instanceof BlockedKeysRecordError) {
        throw new BlockedKeysRecordError(this.subject, `${name}.${error.problem}`);
      }
      throw error;
    }
  }

  /** What each field allows alone is checked; this checks the fields agree with each other. */
  checkEntry(entry: BlockedKeyEntry): BlockedKeyEntry {
    if (entry.followers > 0 && (entry.lastFollowerOffset === null || entry.waitingSince === null)) {
      throw new BlockedKeysRecordError(
        this.subject,
        `followers is ${entry.followers} but lastFollowerOffset or waitingSince is null`,
      );
    }
    if (
      entry.handledThroughOffset !== null &&
      (entry.lastFollowerOffset === null ||
        BigInt(entry.handledThroughOffset) > BigInt(entry.lastFollowerOffset))
    ) {
      throw new BlockedKeysRecordError(
        this.subject,
        'handledThroughOffset is beyond lastFollowerOffset',
      );
    }
    return entry;
  }
}

function isOffset(value: unknown): value is string {
  return typeof value === 'string' && offsetPattern.test(value) && BigInt(value) <= maxOffset;
}

function isPartitionText(text: string): boolean {
  return partitionPattern.test(text) && Number(text) <= maxPartition;
}

/** Attacker-controlled text, cut short and made safe to log or show. */
function quote(text: string): string {
  return `"${escapeTerminalText(truncateText(text, 120))}"`;
}

/**
 * The follower as it goes to the waiting topic (partition `partition` of `waitingTopic`): its
 * key, value and headers, plus its own original position (a first attempt: where it was
 * consumed; a redelivery already carries it, unchanged) and the waiting-* headers.
 */
export function toWaitingRecord(
  record: ConsumedRecord,
  group: string,
  blockerOffset: string,
  waitingTopic: string,
  partition: number,
): OutgoingRecord {
  const headers: Record<string, HeaderValue | HeaderValue[]> = definedHeaders(record);
  if (!isRedelivery(record.headers)) {
    headers[RetryHeader.originalTopic] = record.topic;
    headers[RetryHeader.originalPartition] = String(record.partition);
    headers[RetryHeader.originalOffset] = record.offset;
    headers[RetryHeader.originalTimestamp] = record.timestamp;
  }
  headers[WaitingHeader.group] = group;
  headers[WaitingHeader.forOffset] = blockerOffset;
  return { topic: waitingTopic, partition, key: record.key, value: record.value, headers };
}

/**
 * The follower read back from the waiting topic, at its own original position (topic,
 * partition, offset and timestamp from its original-* headers), its headers as they were before
 * it waited: less the waiting-* headers, and, for a first attempt (no `retry-group`), less the
 * original-* headers added for waiting. Throws a BlockedKeysRecordError naming the header when
 * the original position does not read.
 */
export function fromWaitingRecord(record: ConsumedRecord): ConsumedRecord {
  const subject = `waiting record at ${record.topic}/${record.partition}@${record.offset}`;
  const read = (header: string, valid: (text: string) => boolean): string => {
    const text = readHeaderText(record.headers, header);
    if (text === undefined || !valid(text)) {
      throw new BlockedKeysRecordError(
        subject,
        `header ${header} is ${text === undefined ? 'missing, repeated or not UTF-8' : quote(text)}`,
      );
    }
    return text;
  };
  const topic = read(RetryHeader.originalTopic, isLegalTopicName);
  const partition = read(RetryHeader.originalPartition, isPartitionText);
  const offset = read(RetryHeader.originalOffset, isOffset);
  const timestamp = read(
    RetryHeader.originalTimestamp,
    (text) => offsetPattern.test(text) && Number(text) <= maxEpochMilliseconds,
  );
  const firstAttempt = !isRedelivery(record.headers);
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const [name, value] of Object.entries(definedHeaders(record))) {
    if (isWaitingOnlyHeader(name, firstAttempt)) {
      continue;
    }
    setHeader(headers, name, value);
  }
  return {
    topic,
    partition: Number(partition),
    offset,
    timestamp,
    key: record.key,
    value: record.value,
    headers,
  };
}

const waitingHeaderNames: ReadonlySet<string> = new Set(Object.values(WaitingHeader));
const originalPositionHeaderNames: ReadonlySet<string> = new Set([
  RetryHeader.originalTopic,
  RetryHeader.originalPartition,
  RetryHeader.originalOffset,
  RetryHeader.originalTimestamp,
]);

function isWaitingOnlyHeader(name: string, firstAttempt: boolean): boolean {
  return waitingHeaderNames.has(name) || (firstAttempt && originalPositionHeaderNames.has(name));
}

function definedHeaders(record: ConsumedRecord): Record<string, HeaderValue | HeaderValue[]> {
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  for (const name of Object.keys(record.headers)) {
    const value = record.headers[name];
    if (value !== undefined) {
      setHeader(headers, name, value);
    }
  }
  return headers;
}

/** A header named `__proto__` (attacker controlled) is defined, not assigned: it stays a header. */
function setHeader(
  headers: Record<string, HeaderValue | HeaderValue[]>,
  name: string,
  value: HeaderValue | HeaderValue[],
): void {
  Object.defineProperty(headers, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
