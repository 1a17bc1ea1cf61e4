/** Rule 3: the background drains of the records waiting behind one partition's keys. */
import { performance } from 'node:perf_hooks';
import {
  keyFromBase64,
  keyId,
  waitingScanMarginMilliseconds,
  type BlockedKeyEntry,
  type ConsumedRecord,
} from '@ricochet/core';
import type { CarefulGate } from './careful-gate.js';
import type { KeyQueues } from './key-queues.js';
import type { KeyStrictBook } from './key-strict-book.js';
import { endOf } from './key-strict-decision.js';
import { drainedThroughLast, drainPick, needsDrain } from './key-strict-entry.js';
import type { KeyStrictPartitionShared } from './key-strict-shared.js';
import { PartitionRevokedError, type KeyStrictWrites } from './key-strict-writes.js';
import type { RecordFate } from './record-outcome.js';
import { WaitingIndex } from './waiting-index.js';
import type { WaitingFollower } from './waiting-scan.js';

/**
 * How many waiting records of one key a drain reads ahead before handling them: its memory, and
 * it lets go of the waiting partition (shared by other keys' drains) while it handles them.
 */
const drainChunk = 64;

/** A drained follower's name in `KeyStrictPartitionShared.followerCalls`. */
function followerCallName(follower: ConsumedRecord): string {
  return `${follower.offset}:${follower.partition}:${follower.topic}`;
}

/**
 * The drains of one partition's keys: each handles its key's followers, read from the waiting
 * topic, in order, each step in its key's queue, writing the entry past each (see `start`).
 */
export class FollowerDrains {
  readonly #book: KeyStrictBook;
  readonly #shared: KeyStrictPartitionShared;
  /** The partition of the waiting topic the partition's followers are appended to. */
  readonly #waitingPartition: number;
  readonly #writes: KeyStrictWrites;
  readonly #queues: KeyQueues;
  /** The drains' reads of the waiting partition: one read of a range serves every key's. */
  readonly #waitingIndex: WaitingIndex;
  readonly #draining = new Set<string>();
  /** Keys whose drain was asked for while one ran: it runs again once that one ends. */
  readonly #drainAgain = new Set<string>();

  constructor(
    book: KeyStrictBook,
    shared: KeyStrictPartitionShared,
    waitingPartition: number,
    writes: KeyStrictWrites,
    queues: KeyQueues,
  ) {
    this.#book = book;
    this.#shared = shared;
    this.#waitingPartition = waitingPartition;
    this.#writes = writes;
    this.#queues = queues;
    this.#waitingIndex = new WaitingIndex(shared, waitingPartition, (follower) =>
      follower.topic === book.topic && follower.partition === book.partition
        ? keyId(follower.key)
        : undefined,
    );
  }

  /** Starts the key's drain, or has the running one look at its entry again before it ends. */
  start(id: string): void {
    if (this.#writes.revoked) {
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
            topic: this.#book.topic,
            partition: this.#book.partition,
            error,
          });
        }
      })
      .finally(() => {
        this.#draining.delete(id);
        if (this.#drainAgain.delete(id)) {
          this.start(id);
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
      const entry = this.#book.entry(id);
      if (this.#writes.revoked || entry === undefined || !needsDrain(entry)) {
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
      const { end, counted } = await this.#queues.run(id, async () => ({
        end: (await reader.offsets(waitingTopic, partition)).end,
        counted: this.#book.entry(id),
      }));
      if (counted === undefined || !needsDrain(counted)) {
        continue;
      }
      const scan = await this.#waitingIndex.scan(id, {
        from: position,
        until: end,
        max: drainChunk,
        isFollower: (follower) =>
          follower.topic === this.#book.topic &&
          follower.partition === this.#book.partition &&
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
        if (!passFound && passLast === this.#book.entry(id)?.lastFollowerOffset) {
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
    const entry = this.#book.entry(id);
    const alone =
      entry !== undefined &&
      this.#book.followerSuspect(
        entry,
        follower.offset,
        this.#shared.followerCalls.has(followerCallName(follower)),
      );
    if (alone) {
      return gate.alone(() =>
        this.#queues.run(id, () => this.#drainStep(id, waitingFollower, true)),
      );
    }
    for (let closed = gate.closed; closed !== undefined; closed = gate.closed) {
      await closed;
    }
    return gate.inHand(() =>
      this.#queues.run(id, () => this.#drainStep(id, waitingFollower, false)),
    );
  }

  /**
   * Handles (or dead-letters) one follower, publishes its hand-off acknowledged, then writes the
   * entry past it. A crash before the entry write drains it again (a duplicate); the hand-off is
   * first so that a follower that becomes the blocker is never recorded blocking without being
   * in its tier.
   */
  async #drainStep(id: string, waitingFollower: WaitingFollower, alone: boolean): Promise<boolean> {
    const follower = waitingFollower.record;
    const entry = this.#book.entry(id);
    if (this.#writes.revoked || entry === undefined || !needsDrain(entry)) {
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
    const step = this.#book.followerStep(
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
    await this.#writes.putEntry(id, follower.key, step.entry);
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
    const fate = await this.#writes.handOn(decided);
    await this.#writes.markDeadLetter(follower, follower.offset, fate, false);
    const end = endOf(fate.outcome) ?? 'succeeded';
    const next = this.#book.drained(
      entry,
      follower.offset,
      end,
      Date.now(),
      (BigInt(waitingOffset) + 1n).toString(),
    );
    await this.#writes.putEntry(id, follower.key, next);
    this.#shared.onOutcome(fate.outcome, follower);
    return next !== null && next.blocker === null;
  }

  /**
   * A scan read to the end and found none of the followers still counted: unless some were
   * appended meanwhile, the waiting topic no longer holds them (its retention passed).
   */
  async #giveUpMissing(id: string, scanned: BlockedKeyEntry): Promise<void> {
    await this.#queues.run(id, async () => {
      const entry = this.#book.entry(id);
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
          topic: this.#book.topic,
          partition: this.#book.partition,
          missing: entry.followers,
          waitingTopic: this.#shared.waitingTopic,
        },
      );
      await this.#writes.putEntry(
        id,
        keyFromBase64(entry.key),
        this.#book.followersMissing(entry, Date.now()),
      );
    });
  }
}
