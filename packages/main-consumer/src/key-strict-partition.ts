import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  blockedKeysWriterHeader,
  encodeBlockedKeysRecord,
  RicochetError,
  entryRecordKey,
  isRedelivery,
  keyBase64,
  keyFromBase64,
  keyId,
  readRetryContract,
  releasedRecordKey,
  releaseRecordKey,
  toWaitingRecord,
  waitingScanMarginMilliseconds,
  type BlockedKeyEntry,
  type BlockedKeysFence,
  type BlockedKeysRecord,
  type ConsumedRecord,
  type Logger,
  type OutgoingRecord,
  type ReleaseCommand,
  type ReleasedBlocker,
} from '@ricochet/core';
import type { PartitionReader } from '@ricochet/kafka';
import type { CarefulGate } from './careful-gate.js';
import type { PublishHandOffs } from './hand-offs.js';
import type { ProgressWatch } from './progress-watch.js';
import type { InFlightSlots } from './in-flight-slots.js';
import type { KeyStrictBook } from './key-strict-book.js';
import type { HandlingEnd } from './key-strict-decision.js';
import {
  drainedThroughLast,
  drainPick,
  needsDrain,
  releasedForOneCopy,
} from './key-strict-entry.js';
import type { RecordFate, RecordOutcome } from './record-outcome.js';
import type { RecordProcessor } from './record-processor.js';
import { WaitingIndex } from './waiting-index.js';
import type { WaitingFollower } from './waiting-scan.js';

/** Handles a record as `key` would (or dead-letters a record that crashed the process). */
export type HandleRecord = (record: ConsumedRecord) => RecordFate | Promise<RecordFate>;

/**
 * How many waiting records of one key a drain reads ahead before handling them: its memory, and
 * it lets go of the waiting partition (shared by other keys' drains) while it handles them.
 */
const drainChunk = 64;

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

/** What the partitions of a `key-strict` main consumer share. */
export interface KeyStrictPartitionShared {
  readonly groupId: string;
  readonly logger: Logger;
  readonly blockedKeysTopic: string;
  readonly waitingTopic: string;
  readonly reader: PartitionReader;
  /** Publishes records acknowledged (state writes, waiting appends). */
  readonly publishState: (records: readonly OutgoingRecord[]) => Promise<unknown>;
  /** Publishes hand-offs acknowledged, diverting the too large to the dead-letter topic. */
  readonly publishHandOffs: PublishHandOffs;
  readonly slots: InFlightSlots;
  /** Shared with the batches: a careful call (a batch's or a drain's) runs alone in the process. */
  readonly carefulGate: CarefulGate;
  /** Shared with the batches: a drain step in hand counts as work waiting (stall detection). */
  readonly progress: ProgressWatch;
  /** Handles drained followers (and dead-letters them) as the batches handle records. */
  readonly processor: RecordProcessor<unknown>;
  readonly onOutcome: (outcome: RecordOutcome, record: ConsumedRecord) => void;
  /**
   * The drained followers whose handler call this process marked in their entry (by
   * `followerCallName`) and has not finished: a mark found here is no crash.
   */
  readonly followerCalls: Set<string>;
  /** Some key's entry changed: the gauges are emitted again. */
  readonly changed: () => void;
}

/** The end of a handling, once its hand-off (if any) is acknowledged: diverted ones count dead. */
function endOf(outcome: RecordOutcome): HandlingEnd | undefined {
  switch (outcome.kind) {
    case 'succeeded':
    case 'sent-to-tier':
    case 'dead-lettered':
      return outcome.kind;
    default:
      return undefined;
  }
}

/** A drained follower's name in `KeyStrictPartitionShared.followerCalls`. */
function followerCallName(follower: ConsumedRecord): string {
  return `${follower.offset}:${follower.partition}:${follower.topic}`;
}

function waiting(blockerOffset: string): RecordFate {
  return { outcome: { kind: 'waiting', blockerOffset }, handOff: undefined };
}

/**
 * The `key-strict` I/O of one owned source partition (T,p): decides each record with its book
 * (rule 2), writes the blocked-keys topic and appends to the waiting topic acknowledged before a
 * record's fate is decided, drains followers in the background (rule 3) and acts on release
 * commands (rule 4). What one key does (its cursor records' decisions, appends, blocker
 * transitions, drain steps) is serialized in a per-key queue; keys never wait on each other.
 * Once revoked (rule 5) it writes nothing more.
 */
export class KeyStrictPartition {
  readonly book: KeyStrictBook;
  readonly #shared: KeyStrictPartitionShared;
  /** The partition of the blocked-keys topic, and of the waiting topic, this partition uses. */
  readonly #blockedKeysPartition: number;
  readonly #waitingPartition: number;
  /** The drains' reads of the waiting partition: one read of a range serves every key's. */
  readonly #waitingIndex: WaitingIndex;
  /** The last step queued for each key with steps in hand. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #draining = new Set<string>();
  /** Keys whose drain was asked for while one ran: it runs again once that one ends. */
  readonly #drainAgain = new Set<string>();
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
    waitingPartition: number,
  ) {
    this.book = book;
    this.#shared = shared;
    this.#blockedKeysPartition = blockedKeysPartition;
    this.#waitingPartition = waitingPartition;
    this.#waitingIndex = new WaitingIndex(shared, waitingPartition, (follower) =>
      follower.topic === book.topic && follower.partition === book.partition
        ? keyId(follower.key)
        : undefined,
    );
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

  /**
   * Writes this owner's state of `recordKey` (an entry's or a released marker's: the one its book
   * holds, or a tombstone) over a record it does not believe.
   */
  async rewrite(recordKey: string): Promise<void> {
    const last = recordKey.slice(recordKey.lastIndexOf('/') + 1);
    if (recordKey.startsWith('released/')) {
      await this.#serialized(`released/${last}`, () =>
        this.#writeState(recordKey, this.book.releasedMarker(last) ?? null),
      );
      return;
    }
    await this.#serialized(last, () => this.#writeState(recordKey, this.book.entry(last) ?? null));
  }

  /** Rule 5: no drain step, append or state write for this partition any more. */
  revoke(): void {
    this.#revoked = true;
  }

  /**
   * The partition is committed before `offset`: the entries of chains over and committed
   * through are tombstoned, and the markers of dead-lettered blockers old enough to go.
   */
  async sweep(committedOffset: string): Promise<void> {
    for (const offset of this.book.sweepableMarkers(Date.now())) {
      await this.#serialized(`released/${offset}`, async () => {
        await this.#writeState(
          releasedRecordKey(this.book.topic, this.book.partition, offset),
          null,
        );
        this.book.dropReleased(offset);
      });
    }
    for (const id of this.book.sweepable(committedOffset)) {
      await this.#serialized(id, async () => {
        const entry = this.book.entry(id);
        if (entry !== undefined && this.book.sweepable(committedOffset).includes(id)) {
          await this.#putEntry(id, keyFromBase64(entry.key), null);
        }
      });
    }
  }

  /** Starts the drains the loaded state calls for. */
  startDrains(): void {
    for (const id of this.book.drainable()) {
      this.#startDrain(id);
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
    return this.#serialized(id, () => this.#decideAndAct(id, record, original, redelivery, handle));
  }

  /** Rule 4: an operator asks to release a key of this partition. */
  release(command: ReleaseCommand): Promise<void> {
    const key = keyFromBase64(command.key);
    const id = keyId(key);
    return this.#serialized(id, async () => {
      const released = this.book.release(id, Date.now());
      if (released !== undefined && !this.#revoked) {
        this.#shared.logger.warn('an operator released a blocked key', {
          topic: this.book.topic,
          partition: this.book.partition,
          blockerOffset: released.marker.offset,
        });
        await this.#writeState(
          releasedRecordKey(this.book.topic, this.book.partition, released.marker.offset),
          released.marker,
        );
        this.book.putReleased(released.marker);
        await this.#putEntry(id, key, released.entry);
      }
      if (!this.#revoked) {
        await this.#writeState(releaseRecordKey(this.book.topic, this.book.partition, key), null);
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
    return step === undefined ? fate : this.#serialized(id, step);
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
    if (this.#deadLetterMarker(record, original, fate.outcome, false) === undefined) {
      return undefined;
    }
    return async () => {
      const published = await this.#handOn(fate);
      await this.#markDeadLetter(record, original, published, false);
      return published;
    };
  }

  /** The marker a dead letter of the record calls for (`KeyStrictBook.deadLettered`), if any. */
  #deadLetterMarker(
    record: ConsumedRecord,
    original: string,
    outcome: RecordOutcome,
    blocker: boolean,
  ): ReleasedBlocker | undefined {
    return outcome.kind === 'dead-lettered'
      ? this.book.deadLettered(keyBase64(record.key), original, outcome.reason, blocker, Date.now())
      : undefined;
  }

  /**
   * The record's fate is published (acknowledged): if it was dead-lettered, the marker that has
   * any other copy of it a crash left in a tier dead-lettered when it comes back, rather than
   * handled after its key went on, written acknowledged before its key's entry moves on.
   */
  async #markDeadLetter(
    record: ConsumedRecord,
    original: string,
    published: RecordFate,
    blocker: boolean,
  ): Promise<void> {
    const marker = this.#deadLetterMarker(record, original, published.outcome, blocker);
    if (marker !== undefined) {
      await this.#writeState(
        releasedRecordKey(this.book.topic, this.book.partition, original),
        marker,
      );
      this.book.putReleased(marker);
    }
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
    const published = await this.#handOn(fate);
    if (endOf(published.outcome) === 'sent-to-tier') {
      await this.#putEntry(
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
        const fate = await this.#handOn(
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
          await this.#putEntry(id, record.key, next);
        }
        if (releasedForOneCopy(marker)) {
          await this.#writeState(
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
        const published = await this.#handOn(fate);
        await this.#markDeadLetter(record, original, published, true);
        const next = this.book.blockerEnded(decision.entry, end, Date.now());
        if (next !== undefined) {
          await this.#putEntry(id, record.key, next);
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
        this.#assertOwned();
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
        await this.#putEntry(
          id,
          record.key,
          this.book.followed(decision.entry, original, Date.now(), waitingFrom),
        );
        return waiting(decision.blockerOffset);
      }
    }
  }

  /**
   * Publishes the fate's hand-off acknowledged: the fate then has nothing left to hand on, and a
   * record its tier refused as too large counts dead-lettered.
   */
  async #handOn(fate: RecordFate): Promise<RecordFate> {
    if (fate.handOff === undefined) {
      return fate;
    }
    this.#assertOwned();
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
  async #putEntry(id: string, key: Buffer | null, entry: BlockedKeyEntry | null): Promise<void> {
    await this.#writeState(entryRecordKey(this.book.topic, this.book.partition, key), entry);
    this.book.put(id, entry);
    this.#shared.changed();
    if (entry !== null && needsDrain(entry)) {
      this.#startDrain(id);
    }
  }

  async #writeState(recordKey: string, value: BlockedKeysRecord | null): Promise<void> {
    this.#assertOwned();
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
  #assertOwned(): void {
    if (this.#revoked) {
      throw new PartitionRevokedError(this.book.topic, this.book.partition);
    }
  }

  /** Runs `step` once every step queued before it for the key is done. */
  #serialized<T>(id: string, step: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(id) ?? Promise.resolve();
    const run = before.then(step, step);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, tail);
    void tail.then(() => {
      if (this.#queues.get(id) === tail) {
        this.#queues.delete(id);
      }
    });
    return run;
  }

  #startDrain(id: string): void {
    if (this.#revoked) {
      return;
    }
    if (this.#draining.has(id)) {
      // The running drain may be past its last look at the entry: it looks again before ending.
      this.#drainAgain.add(id);
      return;
    }
    this.#draining.add(id);
    void this.#drain(id)
      .catch((error: unknown) => {
        if (!(error instanceof PartitionRevokedError)) {
          // The entry is unchanged past the last step written: the next owner drains on from it.
          this.#shared.logger.error('draining the records waiting behind a key failed', {
            topic: this.book.topic,
            partition: this.book.partition,
            error,
          });
        }
      })
      .finally(() => {
        this.#draining.delete(id);
        if (this.#drainAgain.delete(id)) {
          this.#startDrain(id);
        }
        if (this.#draining.size === 0) {
          this.#waitingIndex.letGo();
        }
      });
  }

  /**
   * Rule 3: handles the key's followers in original-offset order, each once every step queued for
   * the key before it is done, holding an in-flight slot, until one goes to a tier (it blocks
   * the key) or none is left (the chain is over).
   *
   * A pass reads the waiting partition from the chain's start towards its end, which moves on as
   * followers are appended. A pass that ends with followers left starts another from the chain's
   * start (the handled ones are skipped); only a pass from the start that finds nothing while no
   * follower was appended means they are gone.
   */
  async #drain(id: string): Promise<void> {
    const { reader, waitingTopic } = this.#shared;
    const partition = this.#waitingPartition;
    let position: string | undefined;
    let passFound = false;
    let passLast: string | null = null;
    for (;;) {
      const entry = this.book.entry(id);
      if (this.#revoked || entry === undefined || !needsDrain(entry)) {
        return;
      }
      if (position === undefined) {
        position =
          entry.waitingFromOffset ??
          (await reader.offsetForTimestamp(
            waitingTopic,
            partition,
            (entry.waitingSince ?? entry.updatedAt) - waitingScanMarginMilliseconds,
          ));
        passFound = false;
        passLast = entry.lastFollowerOffset;
      }
      // The end and the entry are read together in the key's queue, when no append of the key
      // is between its record and its entry write: every record of the key below the end is
      // then counted in the entry, or is a duplicate a crash left, so passing over what the
      // entry does not count loses nothing.
      const { end, counted } = await this.#serialized(id, async () => ({
        end: (await reader.offsets(waitingTopic, partition)).end,
        counted: this.book.entry(id),
      }));
      if (counted === undefined || !needsDrain(counted)) {
        continue;
      }
      const scan = await this.#waitingIndex.scan(id, {
        from: position,
        until: end,
        max: drainChunk,
        isFollower: (follower) =>
          follower.topic === this.book.topic &&
          follower.partition === this.book.partition &&
          keyId(follower.key) === id &&
          drainPick(counted, follower.offset) === 'take',
      });
      position = scan.next;
      passFound ||= scan.followers.length > 0;
      for (const follower of scan.followers) {
        if (!(await this.#drainStepWithSlot(id, follower))) {
          return;
        }
      }
      if (scan.followers.length === 0 && scan.next === end) {
        if (!passFound && passLast === this.book.entry(id)?.lastFollowerOffset) {
          await this.#giveUpMissing(id, entry);
        }
        position = undefined;
      }
    }
  }

  /**
   * One drain step holding an in-flight slot, counted as work in hand for stall detection; false
   * once the drain stops.
   */
  async #drainStepWithSlot(id: string, follower: WaitingFollower): Promise<boolean> {
    const { slots, carefulGate: gate, progress } = this.#shared;
    progress.batchStarted(performance.now());
    const slot = slots.acquire();
    try {
      if (slot !== undefined) {
        await slot;
      }
      return await this.#drainStepInGate(id, follower, gate);
    } finally {
      slots.release();
      progress.progressed(performance.now());
      progress.batchEnded();
    }
  }

  /**
   * The step counted in hand by the careful gate like a batch's record, or alone in the process
   * for a follower suspected of a crash. The gate is passed before the key's queue is entered: a
   * careful batch record of the key may be queued there.
   */
  async #drainStepInGate(
    id: string,
    waitingFollower: WaitingFollower,
    gate: CarefulGate,
  ): Promise<boolean> {
    const follower = waitingFollower.record;
    const entry = this.book.entry(id);
    const alone =
      entry !== undefined &&
      this.book.followerSuspect(
        entry,
        follower.offset,
        this.#shared.followerCalls.has(followerCallName(follower)),
      );
    if (alone) {
      return gate.alone(() =>
        this.#serialized(id, () => this.#drainStep(id, waitingFollower, true)),
      );
    }
    for (let closed = gate.closed; closed !== undefined; closed = gate.closed) {
      await closed;
    }
    gate.enter();
    try {
      return await this.#serialized(id, () => this.#drainStep(id, waitingFollower, false));
    } finally {
      gate.leave();
    }
  }

  /**
   * Handles (or dead-letters) one follower, publishes its hand-off acknowledged, then writes the
   * entry past it. A crash before the entry write drains it again (a duplicate); the hand-off is
   * first so that a follower that becomes the blocker is never recorded blocking without being
   * in its tier.
   */
  async #drainStep(id: string, waitingFollower: WaitingFollower, alone: boolean): Promise<boolean> {
    const follower = waitingFollower.record;
    const entry = this.book.entry(id);
    if (this.#revoked || entry === undefined || !needsDrain(entry)) {
      return false;
    }
    if (drainPick(entry, follower.offset) === 'skip') {
      return true;
    }
    const { processor } = this.#shared;
    if (entry.deadLetterFollowers) {
      return this.#drained(
        id,
        entry,
        waitingFollower,
        processor.deadLetterUnhandled(
          follower,
          'predecessor-dead-lettered',
          `a record of its key before it, at original offset ${entry.handledThroughOffset ?? ''} or earlier, was dead-lettered (onDeadLetter: dead-letter)`,
        ),
      );
    }
    const call = followerCallName(follower);
    const step = this.book.followerStep(
      entry,
      follower.offset,
      this.#shared.followerCalls.has(call),
      alone,
    );
    if (step.kind === 'dead-letter') {
      this.#shared.logger.warn('dead-lettering a waiting record that crashed the process', {
        topic: follower.topic,
        partition: follower.partition,
        offset: follower.offset,
        crashes: step.crashes,
      });
      return this.#drained(
        id,
        entry,
        waitingFollower,
        processor.deadLetterCrashed(follower, step.crashes),
      );
    }
    // The crash guard of a drained follower: the mark is acknowledged before the call, so the
    // next owner knows which call a crash cut short (the batches' crash guard never sees it).
    await this.#putEntry(id, follower.key, step.entry);
    this.#shared.followerCalls.add(call);
    try {
      return await this.#drained(
        id,
        step.entry,
        waitingFollower,
        await processor.process(follower),
      );
    } finally {
      this.#shared.followerCalls.delete(call);
    }
  }

  /** A drained follower's fate: its hand-off published acknowledged, then the entry past it. */
  async #drained(
    id: string,
    entry: BlockedKeyEntry,
    { record: follower, waitingOffset }: WaitingFollower,
    decided: RecordFate,
  ): Promise<boolean> {
    const fate = await this.#handOn(decided);
    await this.#markDeadLetter(follower, follower.offset, fate, false);
    const end = endOf(fate.outcome) ?? 'succeeded';
    const next = this.book.drained(
      entry,
      follower.offset,
      end,
      Date.now(),
      (BigInt(waitingOffset) + 1n).toString(),
    );
    await this.#putEntry(id, follower.key, next);
    this.#shared.onOutcome(fate.outcome, follower);
    return next !== null && next.blocker === null;
  }

  /**
   * A scan read to the end and found none of the followers still counted: unless some were
   * appended meanwhile, the waiting topic no longer holds them (its retention passed).
   */
  async #giveUpMissing(id: string, scanned: BlockedKeyEntry): Promise<void> {
    await this.#serialized(id, async () => {
      const entry = this.book.entry(id);
      if (
        entry === undefined ||
        !needsDrain(entry) ||
        entry.lastFollowerOffset !== scanned.lastFollowerOffset ||
        drainedThroughLast(entry)
      ) {
        return;
      }
      this.#shared.logger.error(
        'records waiting behind a key are missing from the waiting topic (past its retention?); the key goes on without them',
        {
          topic: this.book.topic,
          partition: this.book.partition,
          missing: entry.followers,
          waitingTopic: this.#shared.waitingTopic,
        },
      );
      await this.#putEntry(
        id,
        keyFromBase64(entry.key),
        this.book.followersMissing(entry, Date.now()),
      );
    });
  }
}
