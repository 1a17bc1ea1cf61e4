/** The acknowledged writes of one partition's `key-strict` state and hand-offs; none once revoked. */
import { randomUUID } from 'node:crypto';
import {
  blockedKeysWriterHeader,
  encodeBlockedKeysRecord,
  entryRecordKey,
  keyBase64,
  releasedRecordKey,
  RicochetError,
  type BlockedKeyEntry,
  type BlockedKeysFence,
  type BlockedKeysRecord,
  type ConsumedRecord,
  type ReleasedBlocker,
} from '@ricochet/core';
import type { KeyStrictBook } from './key-strict-book.js';
import { needsDrain } from './key-strict-entry.js';
import type { KeyStrictPartitionShared } from './key-strict-shared.js';
import type { RecordFate, RecordOutcome } from './record-outcome.js';

/** A step for a partition no longer owned stops before it writes: the new owner does it again. */
export class PartitionRevokedError extends RicochetError {
  static readonly code = 'KEY_STRICT_PARTITION_REVOKED';

  constructor(topic: string, partition: number) {
    super(`partition ${partition} of ${topic} is no longer owned; its key-strict step stops`, {
      code: PartitionRevokedError.code,
      retriable: true,
    });
  }
}

/**
 * Writes a partition's `key-strict` state (entries, released markers) to its blocked-keys
 * partition and publishes hand-offs, each acknowledged before the caller goes on; keeps the
 * book in step with what is written. Once the partition is revoked (rule 5) every write throws.
 */
export class KeyStrictWrites {
  readonly #book: KeyStrictBook;
  readonly #shared: KeyStrictPartitionShared;
  /** The partition of the blocked-keys topic the partition's state is written to. */
  readonly #blockedKeysPartition: number;
  /** A key's entry written calls for a drain of its followers: it starts (or runs again). */
  readonly #drainDue: (id: string) => void;
  /**
   * This incarnation of the partition's owner, in a header of every record it writes; the
   * partition's commits name it (with `#loadedThrough`) so a next owner believes its writes.
   */
  readonly #writer = randomUUID();
  /** The offset of the blocked-keys partition the state was loaded through. */
  #loadedThrough: string | undefined;
  #revoked = false;

  constructor(
    book: KeyStrictBook,
    shared: KeyStrictPartitionShared,
    blockedKeysPartition: number,
    drainDue: (id: string) => void,
  ) {
    this.#book = book;
    this.#shared = shared;
    this.#blockedKeysPartition = blockedKeysPartition;
    this.#drainDue = drainDue;
  }

  get revoked(): boolean {
    return this.#revoked;
  }

  /** The partition's state is loaded through `offset` of its blocked-keys partition. */
  loaded(offset: string): void {
    this.#loadedThrough = offset;
  }

  /** What the partition's commits carry, once its state is loaded: see `CommitMetadata`. */
  fence(): BlockedKeysFence | undefined {
    return this.#loadedThrough === undefined
      ? undefined
      : { writer: this.#writer, from: this.#loadedThrough };
  }

  /** Whether this incarnation wrote a record with this writer header. */
  wrote(writer: string | undefined): boolean {
    return writer === this.#writer;
  }

  /** Rule 5: no append or state write for this partition any more. */
  revoke(): void {
    this.#revoked = true;
  }

  /** The marker a dead letter of the record calls for (`KeyStrictBook.deadLettered`), if any. */
  deadLetterMarker(
    record: ConsumedRecord,
    original: string,
    outcome: RecordOutcome,
    blocker: boolean,
  ): ReleasedBlocker | undefined {
    return outcome.kind === 'dead-lettered'
      ? this.#book.deadLettered(
          keyBase64(record.key),
          original,
          outcome.reason,
          blocker,
          Date.now(),
        )
      : undefined;
  }

  /**
   * The record's fate is published (acknowledged): if it was dead-lettered, the marker that has
   * any other copy of it a crash left in a tier dead-lettered when it comes back, rather than
   * handled after its key went on, written acknowledged before its key's entry moves on.
   */
  async markDeadLetter(
    record: ConsumedRecord,
    original: string,
    published: RecordFate,
    blocker: boolean,
  ): Promise<void> {
    const marker = this.deadLetterMarker(record, original, published.outcome, blocker);
    if (marker !== undefined) {
      await this.writeState(
        releasedRecordKey(this.#book.topic, this.#book.partition, original),
        marker,
      );
      this.#book.putReleased(marker);
    }
  }

  /**
   * Publishes the fate's hand-off acknowledged: the fate then has nothing left to hand on, and a
   * record its tier refused as too large counts dead-lettered.
   */
  async handOn(fate: RecordFate): Promise<RecordFate> {
    if (fate.handOff === undefined) {
      return fate;
    }
    this.assertOwned();
    const diverted = await this.#shared.publishHandOffs([fate.handOff]);
    if (diverted.size === 0) {
      return { outcome: fate.outcome, handOff: undefined };
    }
    const tryCount = 'tryCount' in fate.outcome ? fate.outcome.tryCount : 0;
    return {
      outcome: { kind: 'dead-lettered', reason: 'record-too-large', tryCount },
      handOff: undefined,
    };
  }

  /** Writes the key's entry (or its tombstone) acknowledged, then keeps it; a drain may start. */
  async putEntry(id: string, key: Buffer | null, entry: BlockedKeyEntry | null): Promise<void> {
    await this.writeState(entryRecordKey(this.#book.topic, this.#book.partition, key), entry);
    this.#book.put(id, entry);
    this.#shared.changed();
    if (entry !== null && needsDrain(entry)) {
      this.#drainDue(id);
    }
  }

  async writeState(recordKey: string, value: BlockedKeysRecord | null): Promise<void> {
    this.assertOwned();
    await this.#shared.publishState([
      {
        topic: this.#shared.blockedKeysTopic,
        partition: this.#blockedKeysPartition,
        key: Buffer.from(recordKey),
        value: value === null ? null : encodeBlockedKeysRecord(value),
        headers: { [blockedKeysWriterHeader]: this.#writer },
      },
    ]);
  }

  /** A revoked partition's steps stop at their next write: the new owner does them again. */
  assertOwned(): void {
    if (this.#revoked) {
      throw new PartitionRevokedError(this.#book.topic, this.#book.partition);
    }
  }
}
