/** Reads a record of the blocked-keys topic back, checking every field (see blocked-keys.ts). */
import {
  blockedKeysRecordKey,
  BlockedKeysRecordError,
  blockedKeysRecordVersion,
  nullKeyId,
  type BlockedKeyEntry,
  type BlockedKeysRecord,
  type BlockedKeysTombstone,
  type BlockerPosition,
  type FollowerAttempt,
} from './blocked-keys.js';
import {
  isOffset,
  isPartitionText,
  maxEpochMilliseconds,
  maxPartition,
  quote,
} from './blocked-keys-text.js';
import { deadLetterReasons, type DeadLetterReason } from './headers.js';
import { isLegalTopicName, topicNameCharacters } from './topic-names.js';

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

const topicPart = `([${topicNameCharacters}]+)`;
const recordKeyPattern = new RegExp(
  `^(?:(?:entry|release)/${topicPart}/([0-9]+)/(null|k[A-Za-z0-9_-]*)|released/${topicPart}/([0-9]+)/([0-9]+))$`,
);

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
