import { performance } from 'node:perf_hooks';
import {
  encodeCommitMetadata,
  nextOffset,
  type BlockedKeysFence,
  type CommitMetadata,
} from '@ricochet/core';
import type { PartitionCrashGuard } from './crash-guard.js';
import type { OwnedPartition } from './crash-guards.js';
import { mergeOffsets } from './done-records.js';
import type { HandOffs, PublishHandOffs } from './hand-offs.js';
import { isBefore } from './offsets.js';

/**
 * Commits up to, not including, `offset` of the partition, with `metadata` (encoded commit
 * metadata), with the consumer's current group session.
 */
export type CommitPartition = (
  topic: string,
  partition: number,
  offset: string,
  metadata: string,
) => Promise<void>;

/**
 * What one batch commits, and when it may: the partition's committed offset never passes a record
 * not settled (handled, or acknowledged on a tier or the dead-letter topic), every commit lists
 * the records done beyond it and carries the crash guard's metadata. It publishes the queued
 * hand-offs before every commit; it decides nothing about which record runs.
 */
export class BatchCommits {
  readonly #topic: string;
  readonly #partition: number;
  readonly #owned: OwnedPartition;
  readonly #guard: PartitionCrashGuard;
  readonly #handOffs: HandOffs;
  readonly #publish: PublishHandOffs;
  readonly #commit: CommitPartition;
  /** Ordering `key-strict`: the partition's fence, carried by every commit. */
  readonly #fence: (() => BlockedKeysFence | undefined) | undefined;
  /** How many records done beyond the first not done the last commit listed. */
  #doneCommitted = 0;

  constructor(
    topic: string,
    partition: number,
    owned: OwnedPartition,
    handOffs: HandOffs,
    publish: PublishHandOffs,
    commit: CommitPartition,
    fence?: () => BlockedKeysFence | undefined,
  ) {
    this.#topic = topic;
    this.#partition = partition;
    this.#owned = owned;
    this.#guard = owned.guard;
    this.#handOffs = handOffs;
    this.#publish = publish;
    this.#commit = commit;
    this.#fence = fence;
  }

  /** The crash guard's metadata as it stands: the guard, no attempt mark. */
  guardMetadata(): CommitMetadata {
    return this.#guard.commitMetadata();
  }

  /** Publishes the queued hand-offs, acknowledged, and settles what is then done. */
  async publishQueued(): Promise<void> {
    await this.#handOffs.publishQueued(this.#publish);
  }

  /** Publishes the queued hand-offs, then commits every record settled. */
  async publishAndCommit(): Promise<void> {
    await this.publishQueued();
    await this.commitHandedOn();
  }

  /**
   * Commits through the last record settled, if no commit covered it yet; or, when records were
   * done beyond the first not done since the last commit, up to that record, so the metadata
   * tells a next owner to skip them.
   */
  async commitHandedOn(metadata: CommitMetadata = this.#guard.commitMetadata()): Promise<void> {
    const handOffs = this.#handOffs;
    const through = handOffs.committable;
    if (through !== undefined) {
      await this.#commitAt(nextOffset(through), metadata);
      return;
    }
    const firstUnsettled = handOffs.firstUnsettled;
    if (firstUnsettled !== undefined && handOffs.doneBeyondCount !== this.#doneCommitted) {
      await this.#commitAt(firstUnsettled, metadata);
    }
  }

  /** Commits up to the record at `offset` with `metadata`, once everything before it is settled. */
  async commitBefore(offset: string, metadata: CommitMetadata): Promise<void> {
    await this.publishQueued();
    await this.#commitAt(offset, metadata);
  }

  /**
   * Writes a new crash guard before the record at `offset` starts: committed up to the first
   * record not settled (records before `offset` may still run), or up to `offset` itself.
   */
  async commitMark(offset: string, metadata: CommitMetadata): Promise<void> {
    await this.publishQueued();
    await this.#commitAt(this.#handOffs.firstUnsettled ?? offset, metadata);
  }

  /** Drops the guard: no record is started any more, and none of this partition comes right next. */
  async commitEnd(): Promise<void> {
    const guard = this.#guard;
    const handOffs = this.#handOffs;
    const metadata = guard.endMetadata();
    const firstUnsettled = handOffs.firstUnsettled;
    if (handOffs.committable !== undefined) {
      await this.commitHandedOn(metadata);
    } else if (firstUnsettled !== undefined) {
      // Nothing settled since the last commit, but records done beyond may be: list them.
      await this.#commitAt(firstUnsettled, metadata);
    } else if (guard.committedBefore !== undefined) {
      await this.#commitAt(guard.committedBefore, metadata);
    }
  }

  /** The records done beyond the first not done: this batch's, and those it has not reached. */
  doneBeyond(): string[] {
    return mergeOffsets(this.#handOffs.doneBeyond(), this.#owned.done.notReached());
  }

  /**
   * The one commit of the partition: up to, not including, `offset`, with the records done
   * beyond it, and who must know of it.
   */
  async #commitAt(offset: string, metadata: CommitMetadata): Promise<void> {
    const done = this.doneBeyond().filter((doneOffset) => isBefore(offset, doneOffset));
    const blockedKeys = this.#fence?.();
    const fenced: CommitMetadata =
      blockedKeys === undefined ? metadata : { ...metadata, blockedKeys };
    const withDone: CommitMetadata = done.length === 0 ? fenced : { ...fenced, done };
    await this.#commit(this.#topic, this.#partition, offset, encodeCommitMetadata(withDone));
    this.#guard.committed(offset);
    this.#handOffs.committed(offset, performance.now());
    this.#doneCommitted = this.#handOffs.doneBeyondCount;
  }
}
