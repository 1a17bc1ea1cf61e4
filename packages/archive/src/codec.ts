import { createHash } from 'node:crypto';
import { ArchiveInputError, ArchiveStoreError } from './errors.js';
import type { ArchivedHeader } from './types.js';

/**
 * Headers are stored as JSON text, an array of {name, base64}: an array keeps their order and
 * duplicates, base64 keeps binary and non-UTF-8 values exact, and text reads the same on both
 * backends (PostgreSQL's jsonb would be no help: nothing queries inside headers).
 */
interface StoredHeader {
  readonly name: string;
  readonly base64: string;
}

export function encodeHeaders(field: string, headers: readonly ArchivedHeader[]): string {
  const stored: StoredHeader[] = headers.map((header, index) => {
    if (typeof header.name !== 'string' || !Buffer.isBuffer(header.value)) {
      throw new ArchiveInputError(`${field}[${index}]`, 'must be { name: string, value: Buffer }');
    }
    return { name: header.name, base64: header.value.toString('base64') };
  });
  return JSON.stringify(stored);
}

export function decodeHeaders(text: string): ArchivedHeader[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) {
    throw new ArchiveStoreError('stored headers are not a JSON array');
  }
  return parsed.map((entry: unknown) => {
    const { name, base64 } = (entry ?? {}) as Partial<Record<string, unknown>>;
    if (typeof name !== 'string' || typeof base64 !== 'string') {
      throw new ArchiveStoreError('a stored header is not { name, base64 }');
    }
    return { name, value: Buffer.from(base64, 'base64') };
  });
}

/**
 * PostgreSQL text cannot hold U+0000 and refuses the whole statement; both backends store it as
 * U+FFFD so that a record reads back the same whichever store kept it.
 */
export function storableText(text: string): string;
export function storableText(text: string | null): string | null;
export function storableText(text: string | null): string | null {
  return text === null || !text.includes('\u0000') ? text : text.replaceAll('\u0000', '\uFFFD');
}

/**
 * The UTF-8 bytes kept of each indexed text column (original topic, retry group, error class,
 * dead-letter reason). A PostgreSQL B-tree entry cannot exceed 2,704 bytes and the combined
 * filter index (migration 4) holds all four, plus the status and the archive time: four of 672
 * bytes fit, four of 675 do not (measured on PostgreSQL 15). Longer headers made the insert fail,
 * and the archiver retried that batch forever. 600 keeps every legal topic name (249 bytes) and
 * every error class Ricochet writes (200 UTF-16 units, at most 600 bytes) whole. Bounded on both
 * backends, so a record reads back the same whichever store kept it.
 */
export const maxIndexedTextBytes = 600;

/**
 * What an indexed column stores of `text`: the text itself when it fits, else as much of its
 * start as fits followed by a marker giving its length and SHA-256. The digest keeps two texts
 * that share a start apart, so a filter, a stats group and the one-record-per-original unique
 * index still tell them apart; the record's headers keep the whole text. Applying it again
 * changes nothing, so a value read from the archive filters as itself.
 */
export function indexedText(text: string): string;
export function indexedText(text: string | null): string | null;
export function indexedText(text: string | null): string | null {
  if (text === null) {
    return null;
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxIndexedTextBytes) {
    return text;
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const marker = `…[truncated from ${bytes.length} bytes, sha256 ${digest}]`;
  let kept = '';
  let room = maxIndexedTextBytes - Buffer.byteLength(marker, 'utf8');
  // By code point, so a character is never split (a lone surrogate would read back as U+FFFD).
  for (const character of text) {
    room -= Buffer.byteLength(character, 'utf8');
    if (room < 0) {
      break;
    }
    kept += character;
  }
  return kept + marker;
}

const int64Pattern = /^(0|-?[1-9][0-9]{0,18})$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** A Kafka offset as a canonical int64 decimal; stored as an integer so that `07` cannot dodge `7`. */
export function int64Text(field: string, value: string): string {
  if (typeof value !== 'string' || !int64Pattern.test(value)) {
    throw new ArchiveInputError(field, `must be an int64 in decimal, got ${JSON.stringify(value)}`);
  }
  const number = BigInt(value);
  if (number < int64Min || number > int64Max) {
    throw new ArchiveInputError(field, `is out of the int64 range, got ${value}`);
  }
  return value;
}

export function integerField(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ArchiveInputError(field, `must be a whole number in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function bytesField(field: string, value: Buffer | null): Buffer | null {
  if (value !== null && !Buffer.isBuffer(value)) {
    throw new ArchiveInputError(field, 'must be a Buffer or null');
  }
  return value;
}

export function textField(field: string, value: string | null): string | null {
  if (value !== null && typeof value !== 'string') {
    throw new ArchiveInputError(field, 'must be a string or null');
  }
  return storableText(value);
}

/** textField for a column that is indexed: bounded by indexedText. */
export function indexedTextField(field: string, value: string | null): string | null {
  return indexedText(textField(field, value));
}
