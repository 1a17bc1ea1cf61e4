import type { BlockedKeysFence, BlockedKeysRecord } from '@ricochet/core';
import { isBefore } from './offsets.js';

/** A record of a blocked-keys partition about one source partition, as read. */
export interface ReadStateRecord {
  readonly offset: string;
  readonly recordKey: string;
  /**
   * Its writer header: the owner incarnation that wrote it. Undefined on an operator's release
   * command (and on anything else not written by an owner).
   */
  readonly writer: string | undefined;
  /** Undefined for a tombstone. */
  readonly record: BlockedKeysRecord | undefined;
}

/**
 * Whether a new owner believes a record about its partition, given the fence the group last
 * committed for the partition (docs/ordered-retries.md, "Fencing"). An operator's release command
 * always counts. An owner's write counts when it is before the fence (the committing owner loaded
 * through there, and wrote its own state over what it did not believe), or when the committing
 * owner wrote it. Anything else was written by an owner the group moved on from (a zombie) or by
 * one that never committed: what caused it is read and decided again. No fence (nothing
 * committed under `key-strict`): no owner's write counts.
 */
export function believed(read: ReadStateRecord, fence: BlockedKeysFence | undefined): boolean {
  if (read.record?.kind === 'release' && read.writer === undefined) {
    return true;
  }
  if (fence === undefined) {
    return false;
  }
  return isBefore(read.offset, fence.from) || read.writer === fence.writer;
}

/** Whether the record key holds an owner's state (an entry or a released marker). */
export function isOwnerState(recordKey: string): boolean {
  return recordKey.startsWith('entry/') || recordKey.startsWith('released/');
}

/**
 * The believed state of a partition, folded from its records in offset order: what survives
 * per record key, and the keys of owner state whose last record was not believed, which the
 * owner writes its own state over (so that compaction can never leave only the disbelieved one).
 */
export class StateFold {
  readonly state = new Map<string, BlockedKeysRecord>();
  readonly disbelieved = new Set<string>();
  readonly #fence: BlockedKeysFence | undefined;

  constructor(fence: BlockedKeysFence | undefined) {
    this.#fence = fence;
  }

  add(read: ReadStateRecord): void {
    if (!believed(read, this.#fence)) {
      if (isOwnerState(read.recordKey)) {
        this.disbelieved.add(read.recordKey);
        this.#carryAttempt(read);
        this.#carryCrashMarker(read);
      }
      return;
    }
    this.disbelieved.delete(read.recordKey);
    if (read.record === undefined) {
      this.state.delete(read.recordKey);
    } else {
      this.state.set(read.recordKey, read.record);
    }
  }

  /**
   * The crash guard's marker of a record it dead-lettered (`handler-crashed`) is kept from a write
   * not believed, as a call mark is: it ends a crash count, and the same owner's entry past the
   * follower, not believed, drops the follower's mark (`#carryAttempt`), so without the marker the
   * next owner would drain the follower again with its count started anew (seed 2718's r0003653
   * crashed the process six times with `maxHandlerCrashes` 2). Its dead letter was acknowledged
   * before it was written; another reason's marker, or a tombstone, decides more than a count.
   */
  #carryCrashMarker(read: ReadStateRecord): void {
    if (read.record?.kind === 'released' && read.record.reason === 'handler-crashed') {
      this.state.set(read.recordKey, read.record);
    }
  }

  /**
   * A drained follower's call mark is kept from a write not believed: an owner that crashed in
   * the call before its first commit named it is not believed, yet its crash must count, or a
   * follower that crashes every owner right after it loads would be called for ever. The mark
   * only counts crashes; it decides nothing else.
   */
  #carryAttempt(read: ReadStateRecord): void {
    const believedEntry = this.state.get(read.recordKey);
    if (believedEntry?.kind !== 'entry' || read.record?.kind !== 'entry') {
      return;
    }
    const { attempt } = read.record;
    if (attempt === undefined) {
      const { attempt: _dropped, ...unmarked } = believedEntry;
      this.state.set(read.recordKey, unmarked);
    } else {
      this.state.set(read.recordKey, { ...believedEntry, attempt });
    }
  }
}
