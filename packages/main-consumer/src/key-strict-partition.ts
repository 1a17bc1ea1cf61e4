import {
  isRedelivery,
  keyBase64,
  keyFromBase64,
  keyId,
  readRetryContract,
  releasedRecordKey,
  releaseRecordKey,
  toWaitingRecord,
  type ConsumedRecord,
  type BlockedKeysFence,
  type ReleaseCommand,
} from '@ricochet/core';
import { KeyQueues } from './key-queues.js';
import type { KeyStrictBook } from './key-strict-book.js';
import { endOf } from './key-strict-decision.js';
import { FollowerDrains } from './key-strict-drains.js';
import { releasedForOneCopy } from './key-strict-entry.js';
import type { KeyStrictPartitionShared } from './key-strict-shared.js';
import { KeyStrictWrites } from './key-strict-writes.js';
import type { RecordFate } from './record-outcome.js';

/** Handles a record as `key` would (or dead-letters a record that crashed the process). */
export type HandleRecord = (record: ConsumedRecord) => RecordFate | Promise<RecordFate>;

function waiting(blockerOffset: string): RecordFate {
  return { outcome: { kind: 'waiting', blockerOffset }, handOff: undefined };
}

/**
 * The `key-strict` I/O of one owned source partition (T,p): decides each record with its book
 * (rule 2), writes the blocked-keys topic and appends to the waiting topic acknowledged before a
 * record's fate is decided, drains followers in the background (rule 3) and acts on release
 * commands (rule 4). What one key does (its cursor records' decisions, appends, blocker
 * transitions, drain steps) is serialized in a per-key queue; keys never wait on each other.
 * Once revoked (rule 5) it writes nothing more. Its writes are `KeyStrictWrites`' (acknowledged),
 * its drains `FollowerDrains`', its per-key queues `KeyQueues`'.
 */
export class KeyStrictPartition {
  readonly book: KeyStrictBook;
  readonly #shared: KeyStrictPartitionShared;
  /** The partition of the waiting topic this partition appends its followers to. */
  readonly #waitingPartition: number;
  readonly #queues = new KeyQueues();
  readonly #writes: KeyStrictWrites;
  readonly #drains: FollowerDrains;

  constructor(
    book: KeyStrictBook,
    shared: KeyStrictPartitionShared,
    blockedKeysPartition: number,
    waitingPartition: number,
  ) {
    this.book = book;
    this.#shared = shared;
    this.#waitingPartition = waitingPartition;
    this.#writes = new KeyStrictWrites(book, shared, blockedKeysPartition, (id) =>
      this.#drains.start(id),
    );
    this.#drains = new FollowerDrains(book, shared, waitingPartition, this.#writes, this.#queues);
  }

  get revoked(): boolean {
    return this.#writes.revoked;
  }

  /** The partition's state is loaded through `offset` of its blocked-keys partition. */
  loaded(offset: string): void {
    this.#writes.loaded(offset);
  }

  /** What the partition's commits carry, once its state is loaded: see `CommitMetadata`. */
  fence(): BlockedKeysFence | undefined {
    return this.#writes.fence();
  }

  /** Whether this incarnation wrote a record with this writer header. */
  wrote(writer: string | undefined): boolean {
    return this.#writes.wrote(writer);
  }

  /**
   * Writes this owner's state of `recordKey` (an entry's or a released marker's: the one its book
   * holds, or a tombstone) over a record it does not believe.
   */
  async rewrite(recordKey: string): Promise<void> {
    const last = recordKey.slice(recordKey.lastIndexOf('/') + 1);
    if (recordKey.startsWith('released/')) {
      await this.#queues.run(`released/${last}`, () =>
        this.#writes.writeState(recordKey, this.book.releasedMarker(last) ?? null),
      );
      return;
    }
    await this.#queues.run(last, () =>
      this.#writes.writeState(recordKey, this.book.entry(last) ?? null),
    );
  }

  /** Rule 5: no drain step, append or state write for this partition any more. */
  revoke(): void {
    this.#writes.revoke();
  }

  /**
   * The partition is committed before `offset`: the entries of chains over and committed
   * through are tombstoned, and the markers of dead-lettered blockers old enough to go.
   */
  async sweep(committedOffset: string): Promise<void> {
    for (const offset of this.book.sweepableMarkers(Date.now())) {
      await this.#queues.run(`released/${offset}`, async () => {
        await this.#writes.writeState(
          releasedRecordKey(this.book.topic, this.book.partition, offset),
          null,
        );
        this.book.dropReleased(offset);
      });
    }
    for (const id of this.book.sweepable(committedOffset)) {
      await this.#queues.run(id, async () => {
        const entry = this.book.entry(id);
        if (entry !== undefined && this.book.sweepable(committedOffset).includes(id)) {
          await this.#writes.putEntry(id, keyFromBase64(entry.key), null);
        }
      });
    }
  }

  /** Starts the drains the loaded state calls for. */
  startDrains(): void {
    for (const id of this.book.drainable()) {
      this.#drains.start(id);
    }
  }

  /**
   * Decides the record's fate under `key-strict`. A record whose key holds nothing back costs a
   * map lookup and is handled as `key` handles it (synchronously when that is); every other goes
   * through its key's queue.
   */
  process(record: ConsumedRecord, handle: HandleRecord): RecordFate | Promise<RecordFate> {
    const original = this.#originalOffset(record);
    if (original === undefined) {
      return handle(record);
    }
    const id = keyId(record.key);
    const redelivery = isRedelivery(record.headers);
    if (!this.#queues.has(id) && this.book.decide(id, original, redelivery).kind === 'handle') {
      const fate = handle(record);
      if (fate instanceof Promise) {
        return fate.then((decided) => this.#afterFirstHandling(id, record, original, decided));
      }
      return this.#afterFirstHandling(id, record, original, fate);
    }
    return this.#queues.run(id, () => this.#decideAndAct(id, record, original, redelivery, handle));
  }

  /** Rule 4: an operator asks to release a key of this partition. */
  release(command: ReleaseCommand): Promise<void> {
    const key = keyFromBase64(command.key);
    const id = keyId(key);
    return this.#queues.run(id, async () => {
      const released = this.book.release(id, Date.now());
      if (released !== undefined && !this.#writes.revoked) {
        this.#shared.logger.warn('an operator released a blocked key', {
          topic: this.book.topic,
          partition: this.book.partition,
          blockerOffset: released.marker.offset,
        });
        await this.#writes.writeState(
          releasedRecordKey(this.book.topic, this.book.partition, released.marker.offset),
          released.marker,
        );
        this.book.putReleased(released.marker);
        await this.#writes.putEntry(id, key, released.entry);
      }
      if (!this.#writes.revoked) {
        await this.#writes.writeState(
          releaseRecordKey(this.book.topic, this.book.partition, key),
          null,
        );
      }
    });
  }

  /**
   * The offset the record is known by: its own, or a redelivery's original offset. Undefined for
   * a record `key-strict` leaves alone: another group's redelivery, a malformed one, or one from
   * another partition (the topic was recreated smaller): the processor deals with it.
   */
  #originalOffset(record: ConsumedRecord): string | undefined {
    if (!isRedelivery(record.headers)) {
      return record.offset;
    }
    const reading = readRetryContract(record.headers);
    if (!reading.ok) {
      return undefined;
    }
    const { contract } = reading;
    return contract.retryGroup === this.#shared.groupId &&
      contract.original.topic === record.topic &&
      contract.original.partition === record.partition
      ? contract.original.offset
      : undefined;
  }

  /** A record of a key holding nothing back was handled: `#stepAfterFirstHandling`. */
  #afterFirstHandling(
    id: string,
    record: ConsumedRecord,
    original: string,
    fate: RecordFate,
  ): RecordFate | Promise<RecordFate> {
    const step = this.#stepAfterFirstHandling(id, record, original, fate);
    return step === undefined ? fate : this.#queues.run(id, step);
  }

  /**
   * What a record of a key holding nothing back calls for once handled, to run in its key's
   * queue: if it goes to a tier, the key blocks; else `#markerStep`. Undefined when nothing
   * (most records).
   */
  #stepAfterFirstHandling(
    id: string,
    record: ConsumedRecord,
    original: string,
    fate: RecordFate,
  ): (() => Promise<RecordFate>) | undefined {
    return fate.outcome.kind === 'sent-to-tier'
      ? () => this.#blockOn(id, record, original, fate)
      : this.#markerStep(record, original, fate);
  }

  /**
   * When the record's dead letter calls for a marker (`KeyStrictBook.deadLettered`), the step,
   * to run in its key's queue, that publishes the dead letter and then writes the marker.
   */
  #markerStep(
    record: ConsumedRecord,
    original: string,
    fate: RecordFate,
  ): (() => Promise<RecordFate>) | undefined {
    if (this.#writes.deadLetterMarker(record, original, fate.outcome, false) === undefined) {
      return undefined;
    }
    return async () => {
      const published = await this.#writes.handOn(fate);
      await this.#writes.markDeadLetter(record, original, published, false);
      return published;
    };
  }
  /**
   * The record goes to a tier and blocks its key: its hand-off is published acknowledged, then
   * the entry written acknowledged. A crash between them leaves the record uncommitted: read
   * again, it is handled again (a duplicate in the tier, taken as the blocker or skipped).
   */
  async #blockOn(
    id: string,
    record: ConsumedRecord,
    original: string,
    fate: RecordFate,
  ): Promise<RecordFate> {
    const published = await this.#writes.handOn(fate);
    if (endOf(published.outcome) === 'sent-to-tier') {
      await this.#writes.putEntry(
        id,
        record.key,
        this.book.blocked(keyBase64(record.key), original, Date.now()),
      );
    }
    return published;
  }

  async #decideAndAct(
    id: string,
    record: ConsumedRecord,
    original: string,
    redelivery: boolean,
    handle: HandleRecord,
  ): Promise<RecordFate> {
    const decision = this.book.decide(id, original, redelivery);
    const { processor } = this.#shared;
    switch (decision.kind) {
      case 'handle': {
        const fate = await handle(record);
        return this.#stepAfterFirstHandling(id, record, original, fate)?.() ?? fate;
      }
      case 'released-blocker': {
        const { marker } = decision;
        const reason = marker.reason ?? 'released-by-operator';
        const fate = await this.#writes.handOn(
          processor.deadLetterUnhandled(
            record,
            reason,
            reason === 'released-by-operator'
              ? `an operator released key-strict key of ${record.topic}/${record.partition} this record blocked`
              : `another copy of this record was dead-lettered (${reason}) already; handled, this one would be handled after later records of its key`,
          ),
        );
        // The entry moves on before an operator's marker goes: the owner may have died between
        // the marker and the entry, and this copy is the last that could move it on.
        const next = this.book.copyReleased(id, marker, Date.now());
        if (next !== undefined) {
          await this.#writes.putEntry(id, record.key, next);
        }
        if (releasedForOneCopy(marker)) {
          await this.#writes.writeState(
            releasedRecordKey(this.book.topic, this.book.partition, original),
            null,
          );
          this.book.dropReleased(original);
        }
        return fate;
      }
      case 'blocker-back': {
        const fate = await handle(record);
        const end = endOf(fate.outcome);
        if (end === undefined || end === 'sent-to-tier') {
          return fate;
        }
        // A dead letter is acknowledged before the entry moves on: read again after a crash in
        // between, the blocker would be taken as a follower already handed on.
        const published = await this.#writes.handOn(fate);
        await this.#writes.markDeadLetter(record, original, published, true);
        const next = this.book.blockerEnded(decision.entry, end, Date.now());
        if (next !== undefined) {
          await this.#writes.putEntry(id, record.key, next);
        }
        return published;
      }
      case 'already-waiting':
        return waiting(decision.blockerOffset);
      case 'stale': {
        const fate = await handle(record);
        return this.#markerStep(record, original, fate)?.() ?? fate;
      }
      case 'over-cap':
        return processor.deadLetterUnhandled(
          record,
          'waiting-cap-exceeded',
          `${decision.entry.followers} records of its key already wait behind original offset ${decision.entry.blocker?.offset ?? decision.entry.lastFollowerOffset ?? ''} (maxWaitingPerKey)`,
        );
      case 'follow': {
        this.#writes.assertOwned();
        // The end before the chain's first append is at or before it: the chain's drain reads
        // from there.
        const waitingFrom =
          decision.entry.waitingSince === null
            ? (await this.#shared.reader.offsets(this.#shared.waitingTopic, this.#waitingPartition))
                .end
            : undefined;
        await this.#shared.publishState([
          toWaitingRecord(
            record,
            this.#shared.groupId,
            decision.blockerOffset,
            this.#shared.waitingTopic,
            this.#waitingPartition,
          ),
        ]);
        await this.#writes.putEntry(
          id,
          record.key,
          this.book.followed(decision.entry, original, Date.now(), waitingFrom),
        );
        return waiting(decision.blockerOffset);
      }
    }
  }
}
