import type { CommitMetadata } from '@ricochet/core';
import { isBefore } from './offsets.js';

/**
 * The most records past the record that writes a guard the guard may cover, however large the
 * batch in hand: on the happy path one extra commit per this many records at least, and the
 * longest careful stretch (a commit per record) for the owner that follows an unclean end.
 */
export const crashGuardWindow = 10_000n;

/**
 * How far a guard reaches past the end of the batch in hand. A guard covers only records the
 * owner could have had in hand, so the careful stretch after an unclean end (two commits a record)
 * is that batch plus this slack. The slack lets small batches that follow one another (a batch
 * read to the end drops its guard anyway) share one guard: a steady stream costs at most one extra
 * commit per batch, and per record at most one per this many records; a batch of a consumer behind
 * (thousands of records) pays its one commit over all of them. Measured in docs/guarantees.md G16.
 */
export const crashGuardSlack = 100n;

/** What to do before a record is handed to the handler. */
export type RecordStep =
  /** Call the handler: the durable guard already covers the record. */
  | { readonly kind: 'handle' }
  /**
   * First commit the record's own offset (so nothing past it) with this metadata, publishing
   * and settling everything before it, then call the handler.
   */
  | { readonly kind: 'mark'; readonly metadata: CommitMetadata }
  /** The record crashed the process this many times: dead-letter it without calling the handler. */
  | { readonly kind: 'dead-letter'; readonly crashes: number };

/** The step of most records, shared rather than allocated for each. */
const handle: RecordStep = Object.freeze({ kind: 'handle' });

/** A record known to have crashed the process, and how often. */
interface CrashedRecord {
  readonly offset: string;
  readonly crashes: number;
}

/**
 * One owned partition's defence against a record that crashes the process: the decisions only;
 * the main consumer commits the metadata it asks for. In normal mode every commit carries a
 * guard past every record the owner may have started, and not far past its batch in hand, so an
 * owner that dies leaves a short suspect range [committed, guard). The next owner
 * handles that range carefully: before each handler call it commits the record's own offset
 * with an `attempt` mark, so the owner after a crash knows exactly which record it was and how
 * often it has crashed; at `maxCrashes` the record is dead-lettered instead of called again.
 */
export class PartitionCrashGuard {
  readonly #owner: string;
  readonly #maxCrashes: number;
  /** The durable guard in normal mode, or where careful mode ends; undefined: none written. */
  #guard: string | undefined;
  #careful: boolean;
  #crashed: CrashedRecord | undefined;
  /** The offset committed last (the next record to read), as far as this owner knows. */
  #committedBefore: string | undefined;

  private constructor(
    owner: string,
    maxCrashes: number,
    committedBefore: string | undefined,
    guard: string | undefined,
    careful: { readonly crashed: CrashedRecord | undefined } | undefined,
  ) {
    this.#owner = owner;
    this.#maxCrashes = maxCrashes;
    this.#committedBefore = committedBefore;
    this.#guard = guard;
    this.#careful = careful !== undefined;
    this.#crashed = careful?.crashed;
  }

  /**
   * The guard of an owner taking the partition over, from what was committed: its offset
   * (undefined when none) and its metadata as decoded (undefined when none or unreadable).
   */
  static takeOver(
    owner: string,
    maxCrashes: number,
    committedOffset: string | undefined,
    found: CommitMetadata | undefined,
  ): PartitionCrashGuard {
    const taken = (
      guard: string | undefined,
      careful?: { readonly crashed: CrashedRecord | undefined },
    ): PartitionCrashGuard =>
      new PartitionCrashGuard(owner, maxCrashes, committedOffset, guard, careful);
    if (found === undefined || found.guard === undefined) {
      return taken(undefined);
    }
    // Our own mark: this process is alive, so nothing crashed; its guard still stands.
    if (found.owner === owner) {
      return taken(found.guard);
    }
    if (committedOffset === undefined || !isBefore(committedOffset, found.guard)) {
      return taken(undefined);
    }
    // An attempt mark at the committed offset: that call never came back to commit past it.
    const crashed =
      found.attempt !== undefined && found.attempt.offset === committedOffset
        ? { offset: found.attempt.offset, crashes: found.attempt.crashes + 1 }
        : undefined;
    return taken(found.guard, { crashed });
  }

  /** The offset committed last (the next record to read), as far as this owner knows. */
  get committedBefore(): string | undefined {
    return this.#committedBefore;
  }

  /** A commit up to, not including, `offset` succeeded. */
  committed(offset: string): void {
    this.#committedBefore = offset;
  }

  /** Whether records are being handled one commit at a time after an unclean end. */
  get careful(): boolean {
    return this.#careful;
  }

  /** `batchEnd`: the offset after the last record of the batch in hand, which holds `offset`. */
  beforeRecord(offset: string, batchEnd: string): RecordStep {
    if (this.#careful) {
      if (isBefore(offset, this.#guard!)) {
        return this.#carefulStep(offset);
      }
      this.#careful = false;
      this.#crashed = undefined;
    }
    if (this.#guard !== undefined && isBefore(offset, this.#guard)) {
      return handle;
    }
    const windowEnd = BigInt(offset) + crashGuardWindow;
    const slackEnd = BigInt(batchEnd) + crashGuardSlack;
    this.#guard = (windowEnd < slackEnd ? windowEnd : slackEnd).toString();
    return { kind: 'mark', metadata: { owner: this.#owner, guard: this.#guard } };
  }

  /** The metadata of a commit made while records are handled. */
  commitMetadata(): CommitMetadata {
    return this.#guard === undefined
      ? { owner: this.#owner }
      : { owner: this.#owner, guard: this.#guard };
  }

  /**
   * The metadata of a commit with nothing in hand and no more records to come from this batch
   * (the service stops, the batch was abandoned, a rebalance): no guard, so the next owner need
   * not be careful. A careful stretch not yet finished is kept: its crash was not explained.
   */
  endMetadata(): CommitMetadata {
    if (!this.#careful) {
      this.#guard = undefined;
    }
    return this.commitMetadata();
  }

  #carefulStep(offset: string): RecordStep {
    const crashes = this.#crashed?.offset === offset ? this.#crashed.crashes : 0;
    if (crashes >= this.#maxCrashes) {
      return { kind: 'dead-letter', crashes };
    }
    return {
      kind: 'mark',
      metadata: { owner: this.#owner, guard: this.#guard!, attempt: { offset, crashes } },
    };
  }
}
