/**
 * What Ricochet writes in the metadata of a committed offset: small versioned JSON (within the
 * broker's 4 KiB default `offset.metadata.max.bytes`), so that what a partition's owner knew
 * travels with the partition to the next owner, even past a `kill -9`. This module owns the
 * format; it is pure.
 *
 * The `done` field (the offsets done beyond the committed offset, encoded by done-offsets.ts)
 * came later within version 1: a field added, none changed, so the version stays 1. A reader
 * from before it ignores the unknown field and reads the rest, which only costs it duplicates
 * (it handles those records again); a reader that knows it and finds it missing, or finds one
 * that does not check out, reads the rest without it, the same way.
 */
import { decodeDoneOffsets, encodeDoneOffsets, maxDoneOffsets } from './done-offsets.js';

/** The version written; metadata of another version (older or newer) reads as saying nothing. */
export const commitMetadataVersion = 1;

/**
 * The broker's default `offset.metadata.max.bytes`: a commit with longer metadata is refused
 * (`OFFSET_METADATA_TOO_LARGE`), so the encoder never writes more.
 */
export const maxCommitMetadataBytes = 4096;

export interface CommitMetadata {
  /** The service instance that wrote it; an instance that reads its own marks knows it did not crash. */
  readonly owner: string;
  /**
   * Records from the committed offset up to (not including) this offset may have been in hand
   * without a clean commit: if the owner ended without one, the crash happened among them.
   */
  readonly guard?: string;
  /**
   * The handler was about to be called for the record at this offset (the committed offset when
   * written), after it had already crashed the process `crashes` times.
   */
  readonly attempt?: { readonly offset: string; readonly crashes: number };
  /**
   * Offsets beyond the committed offset of records done (handled, or acknowledged on a tier or
   * the DLQ) while an earlier record was not: canonical decimal, ascending, distinct. The next
   * owner skips them. Written only when it fits (see `encodeCommitMetadata`); a reader must still
   * ignore any at or below the offset actually committed.
   */
  readonly done?: readonly string[];
  /**
   * Ordering `key-strict`: which records of the group's blocked-keys partition about this source
   * partition the next owner believes (docs/ordered-retries.md, "Fencing"): those before `from`
   * (the offset the committing owner loaded the partition's state through, having rewritten what
   * it did not believe), and those at or after it written by `writer` (the committing owner's
   * incarnation, in a header of each record it writes). A member the group moved on from cannot
   * commit, so nothing it wrote afterwards is believed.
   */
  readonly blockedKeys?: BlockedKeysFence;
}

/** `CommitMetadata.blockedKeys`. */
export interface BlockedKeysFence {
  readonly writer: string;
  readonly from: string;
}

/** Crash counts beyond this are not believed: metadata is text anyone with group access can write. */
const maxCrashCount = 1_000_000;
const offsetPattern = /^(0|[1-9][0-9]{0,18})$/;
const maxOwnerLength = 200;

/**
 * The metadata as text of at most `maxBytes` UTF-8 bytes when it can be: when the whole text would
 * not fit, or the done set is larger than a reader accepts, `done` (only it) is left out. That
 * fallback is correct, the committed offset alone says what is safe; the next owner just handles
 * the done records again.
 */
export function encodeCommitMetadata(
  metadata: CommitMetadata,
  maxBytes: number = maxCommitMetadataBytes,
): string {
  const prefix = {
    v: commitMetadataVersion,
    owner: metadata.owner,
    ...(metadata.guard === undefined ? {} : { guard: metadata.guard }),
    ...(metadata.attempt === undefined
      ? {}
      : { attempt: metadata.attempt.offset, crashes: metadata.attempt.crashes }),
    ...(metadata.blockedKeys === undefined
      ? {}
      : {
          blockedKeysWriter: metadata.blockedKeys.writer,
          blockedKeysFrom: metadata.blockedKeys.from,
        }),
  };
  const done =
    metadata.done === undefined || metadata.done.length > maxDoneOffsets
      ? undefined
      : encodeDoneOffsets(metadata.done);
  if (done !== undefined) {
    const text = JSON.stringify({ ...prefix, done });
    if (Buffer.byteLength(text) <= maxBytes) {
      return text;
    }
  }
  return JSON.stringify(prefix);
}

/**
 * The metadata as written by this version, or undefined for anything else: none, another
 * version, another tool's text, or fields that do not check out. Saying nothing is the safe
 * reading: the next owner then handles records as usual.
 */
export function decodeCommitMetadata(text: string | null | undefined): CommitMetadata | undefined {
  if (text === null || text === undefined || text === '') {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return undefined;
  }
  const fields = parsed as Record<string, unknown>;
  if (fields.v !== commitMetadataVersion) {
    return undefined;
  }
  const { owner, guard, attempt, crashes } = fields;
  if (!isOwner(owner)) {
    return undefined;
  }
  if (guard !== undefined && !isOffset(guard)) {
    return undefined;
  }
  if ((attempt === undefined) !== (crashes === undefined)) {
    return undefined;
  }
  if (attempt !== undefined && (!isOffset(attempt) || !isCrashCount(crashes))) {
    return undefined;
  }
  const { blockedKeysWriter, blockedKeysFrom } = fields;
  if ((blockedKeysWriter === undefined) !== (blockedKeysFrom === undefined)) {
    return undefined;
  }
  if (
    blockedKeysWriter !== undefined &&
    (!isOwner(blockedKeysWriter) || !isOffset(blockedKeysFrom))
  ) {
    return undefined;
  }
  // A done set that does not check out reads as absent: the rest still holds.
  const done = fields.done === undefined ? undefined : decodeDoneOffsets(fields.done);
  return {
    owner,
    ...(guard === undefined ? {} : { guard }),
    ...(attempt === undefined ? {} : { attempt: { offset: attempt, crashes: crashes as number } }),
    ...(done === undefined ? {} : { done }),
    ...(blockedKeysWriter === undefined
      ? {}
      : { blockedKeys: { writer: blockedKeysWriter, from: blockedKeysFrom as string } }),
  };
}

function isOwner(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxOwnerLength;
}

function isOffset(value: unknown): value is string {
  return typeof value === 'string' && offsetPattern.test(value);
}

function isCrashCount(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= maxCrashCount
  );
}
