/**
 * What Ricochet writes in the metadata of a committed offset: small versioned JSON (well under the
 * broker's 4 KiB default `offset.metadata.max.bytes`), so that what a partition's owner knew
 * travels with the partition to the next owner, even past a `kill -9`. This module owns the
 * format; it is pure.
 */

/** The version written; metadata of another version (older or newer) reads as saying nothing. */
export const commitMetadataVersion = 1;

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
}

/** Crash counts beyond this are not believed: metadata is text anyone with group access can write. */
const maxCrashCount = 1_000_000;
const offsetPattern = /^(0|[1-9][0-9]{0,18})$/;
const maxOwnerLength = 200;

export function encodeCommitMetadata(metadata: CommitMetadata): string {
  return JSON.stringify({
    v: commitMetadataVersion,
    owner: metadata.owner,
    ...(metadata.guard === undefined ? {} : { guard: metadata.guard }),
    ...(metadata.attempt === undefined
      ? {}
      : { attempt: metadata.attempt.offset, crashes: metadata.attempt.crashes }),
  });
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
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > maxOwnerLength) {
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
  return {
    owner,
    ...(guard === undefined ? {} : { guard }),
    ...(attempt === undefined ? {} : { attempt: { offset: attempt, crashes: crashes as number } }),
  };
}

function isOffset(value: unknown): value is string {
  return typeof value === 'string' && offsetPattern.test(value);
}

function isCrashCount(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= maxCrashCount
  );
}
