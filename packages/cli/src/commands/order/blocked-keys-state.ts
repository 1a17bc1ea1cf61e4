import {
  BlockedKeysRecordError,
  decodeBlockedKeysRecord,
  decodeUtf8,
  keyFromBase64,
  type BlockedKeyEntry,
  type ConsumedRecord,
  type ReleaseCommand,
} from '@ricochet/core';
import { isReadableText } from '@ricochet/value-decoder';

/**
 * What a group's blocked-keys topic says once read from its beginning: the last record under
 * each record key counts (the topic is compacted to exactly that), a tombstone removes it.
 */
export class BlockedKeysState {
  readonly #entries = new Map<string, BlockedKeyEntry>();
  readonly #releases = new Map<string, ReleaseCommand>();
  /** Records that did not read, with why: shown to the operator, never acted on. */
  readonly unreadable: string[] = [];

  add(record: ConsumedRecord): void {
    const recordKey = record.key === null ? '' : record.key.toString('utf8');
    let decoded;
    try {
      decoded = decodeBlockedKeysRecord(recordKey, record.value);
    } catch (error) {
      if (error instanceof BlockedKeysRecordError) {
        this.unreadable.push(
          `partition ${record.partition} offset ${record.offset}: ${error.message}`,
        );
        return;
      }
      throw error;
    }
    switch (decoded.kind) {
      case 'tombstone':
        this.#entries.delete(recordKey);
        this.#releases.delete(recordKey);
        break;
      case 'entry':
        this.#entries.set(recordKey, decoded);
        break;
      case 'release':
        this.#releases.set(recordKey, decoded);
        break;
      case 'released':
        break;
    }
  }

  /**
   * The blocked keys (or keys whose followers are being drained), oldest first. An entry with no
   * blocker and no follower left holds nothing back: its owner keeps it until the partition is
   * committed past it, then tombstones it.
   */
  blockedKeys(now: number, topic?: string): BlockedKeyStatus[] {
    return [...this.#entries.values()]
      .filter((entry) => topic === undefined || entry.topic === topic)
      .filter((entry) => entry.blocker !== null || entry.followers > 0)
      .map((entry): BlockedKeyStatus => {
        const since = entry.blocker?.since ?? entry.waitingSince ?? entry.updatedAt;
        const release = [...this.#releases.values()].find(
          (command) =>
            command.topic === entry.topic &&
            command.partition === entry.partition &&
            command.key === entry.key,
        );
        return {
          topic: entry.topic,
          partition: entry.partition,
          key: entry.key,
          keyText: keyText(entry.key),
          blockerOffset: entry.blocker?.offset ?? null,
          since,
          waitedMilliseconds: Math.max(0, now - since),
          followers: entry.followers,
          lastFollowerOffset: entry.lastFollowerOffset,
          handledThroughOffset: entry.handledThroughOffset,
          deadLetterFollowers: entry.deadLetterFollowers,
          releaseRequestedAt: release?.requestedAt ?? null,
        };
      })
      .sort((left, right) => left.since - right.since);
  }
}

/** One blocked key as `ricochet order status` shows it. */
export interface BlockedKeyStatus {
  readonly topic: string;
  readonly partition: number;
  /** Base64 of the key's bytes; null for the null key. */
  readonly key: string | null;
  /** The key as a person reads it (see keyText). */
  readonly keyText: string;
  /** The original offset of the record the key waits on; null while its followers drain. */
  readonly blockerOffset: string | null;
  /** Epoch ms since when the key waits: its blocker's start, else its first follower's. */
  readonly since: number;
  readonly waitedMilliseconds: number;
  readonly followers: number;
  readonly lastFollowerOffset: string | null;
  readonly handledThroughOffset: string | null;
  readonly deadLetterFollowers: boolean;
  /** Set when an operator's release waits for the owner to act on it. */
  readonly releaseRequestedAt: number | null;
}

/**
 * The key for a person: quoted JSON text when it is readable UTF-8 (so the empty key shows as
 * `""`), `0x` hex otherwise, `(null key)` for the null key. Still attacker controlled: the
 * caller's output escapes what a terminal would act on.
 */
export function keyText(key: string | null): string {
  const bytes = keyFromBase64(key);
  if (bytes === null) {
    return '(null key)';
  }
  const text = decodeUtf8(bytes);
  return text !== undefined && isReadableText(text)
    ? JSON.stringify(text)
    : `0x${bytes.toString('hex')}`;
}

/** A wait as a person reads it: `3h 12m`, `45s`. */
export function formatWait(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1_000);
  const units: ReadonlyArray<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}
