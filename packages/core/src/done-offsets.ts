/**
 * The compact text of the offsets done beyond a partition's committed offset, carried in commit
 * metadata (see commit-metadata.ts) so that the partition's next owner skips them instead of
 * handling them twice. Pure, no I/O.
 *
 * The anchor is Parallel Consumer's offset map (`OffsetMapCodecManager`): it encodes the same
 * set both as run lengths and as a bitset, and keeps whichever is shorter, behind a magic byte.
 * Here the two encodings are text (commit metadata is a string inside JSON), one letter names the
 * encoding, and the first done offset is written in decimal so that a person reading the
 * metadata sees where the set starts:
 *
 * - `r<first>.<base64url>`: run lengths. The payload is unsigned LEB128 varints, each a length
 *   minus one: the run of done offsets starting at `first`, then the run of offsets not done
 *   after it, then the next done run, and so on, ending with a done run (an odd count). Lengths
 *   minus one mean no run can be empty, so every payload is an ascending, distinct set. Best for
 *   long runs and for sparse sets: a run of any length costs a few bytes.
 * - `b<first>.<base64url>`: a bitset. Bit i (least significant bit of each byte first) says
 *   whether `first + 1 + i` is done; `first` itself is done. Best for dense scattered sets: one
 *   bit per offset of the span, whatever the pattern.
 *
 * Unlike Parallel Consumer's, the set is of done offsets, not of incomplete ones: records not done
 * are the normal case after a crash and need no mark; and reading never expands a run into
 * memory beyond `maxDoneOffsets` offsets, so a small hostile text (a run length of 2^60) cannot
 * make a huge array. Anything that does not check out reads as undefined: no set at all is the
 * safe reading, it only costs duplicates.
 */
import { RicochetError } from './errors.js';

/** Sets larger than this are neither written nor believed: it bounds what a reader allocates. */
export const maxDoneOffsets = 32_768;

/** Kafka offsets are signed 64-bit integers; done offsets are never negative. */
const maxOffset = 2n ** 63n - 1n;
const offsetPattern = /^(0|[1-9][0-9]{0,18})$/;
const textPattern = /^([rb])(0|[1-9][0-9]{0,18})\.([A-Za-z0-9_-]*)$/;
/** 63 bits in 7-bit groups; a longer varint cannot be a length within an offset's range. */
const maxVarintBytes = 9;

/** The one letter that names the encoding. */
const Tag = { runLengths: 'r', bitset: 'b' } as const;
type Tag = (typeof Tag)[keyof typeof Tag];

/**
 * The shorter encoding of the set, or undefined for the empty set (nothing to write). Throws when
 * the offsets are not canonical decimal, ascending and distinct, or are more than
 * `maxDoneOffsets`: the caller builds the set, so that is a bug to surface, not a text to mend.
 */
export function encodeDoneOffsets(done: readonly string[]): string | undefined {
  if (done.length === 0) {
    return undefined;
  }
  if (done.length > maxDoneOffsets) {
    throw invalidSet(`${done.length} offsets, more than the ${maxDoneOffsets} a reader accepts`);
  }
  const offsets = parseOffsets(done);
  const first = offsets[0] as bigint;
  const last = offsets[offsets.length - 1] as bigint;
  const runLengths = encodeRunLengths(offsets);
  // A bitset costs one bit per offset of the span; build it only when it can be shorter.
  const bitsetBytes = (last - first + 7n) / 8n;
  const payload =
    bitsetBytes < BigInt(runLengths.length)
      ? { tag: Tag.bitset, bytes: encodeBitset(offsets, Number(bitsetBytes)) }
      : { tag: Tag.runLengths, bytes: runLengths };
  return `${payload.tag}${first}.${Buffer.from(payload.bytes).toString('base64url')}`;
}

/**
 * The set a text written by `encodeDoneOffsets` holds: canonical decimal offsets, ascending and
 * distinct. Undefined for anything else (not a string, another tag, a bad offset, a payload that
 * is not canonical base64url or not canonical varints, offsets beyond 2^63 - 1, more than
 * `maxDoneOffsets` offsets). Never throws; allocates at most `maxDoneOffsets` offsets plus the
 * text's own length.
 */
export function decodeDoneOffsets(text: unknown): readonly string[] | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const match = textPattern.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, tag, firstText, payloadText] = match as unknown as [string, Tag, string, string];
  const first = BigInt(firstText);
  if (first > maxOffset) {
    return undefined;
  }
  const payload = Buffer.from(payloadText, 'base64url');
  // Canonical base64url only: one text per set, and no stray bits hidden in the last character.
  if (payload.toString('base64url') !== payloadText) {
    return undefined;
  }
  return tag === Tag.runLengths ? decodeRunLengths(first, payload) : decodeBitset(first, payload);
}

function parseOffsets(done: readonly string[]): bigint[] {
  const offsets: bigint[] = [];
  for (const text of done) {
    const offset = offsetPattern.test(text) ? BigInt(text) : undefined;
    if (offset === undefined || offset > maxOffset) {
      throw invalidSet(`"${text}" is not an offset`);
    }
    const previous = offsets[offsets.length - 1];
    if (previous !== undefined && offset <= previous) {
      throw invalidSet(`${text} does not come after ${previous}`);
    }
    offsets.push(offset);
  }
  return offsets;
}

function invalidSet(problem: string): RicochetError {
  return new RicochetError(`Done offsets: ${problem}`, { code: 'INVALID_DONE_OFFSETS' });
}

function encodeRunLengths(offsets: readonly bigint[]): number[] {
  const bytes: number[] = [];
  let runStart = offsets[0] as bigint;
  let previous = runStart;
  for (const offset of offsets.slice(1)) {
    if (offset !== previous + 1n) {
      writeVarint(bytes, previous - runStart); // done run, minus one
      writeVarint(bytes, offset - previous - 2n); // run not done, minus one
      runStart = offset;
    }
    previous = offset;
  }
  writeVarint(bytes, previous - runStart);
  return bytes;
}

function encodeBitset(offsets: readonly bigint[], byteCount: number): Uint8Array {
  const bytes = new Uint8Array(byteCount);
  const first = offsets[0] as bigint;
  for (const offset of offsets.slice(1)) {
    const bit = Number(offset - first - 1n);
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (1 << (bit & 7));
  }
  return bytes;
}

function writeVarint(bytes: number[], value: bigint): void {
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
}

function decodeRunLengths(first: bigint, payload: Buffer): readonly string[] | undefined {
  const done: string[] = [];
  let position = 0;
  let next = first;
  let isDoneRun = true;
  while (position < payload.length) {
    const varint = readVarint(payload, position);
    if (varint === undefined) {
      return undefined;
    }
    position = varint.end;
    const length = varint.value + 1n;
    // Checked before any offset of the run is made: a hostile length stops here.
    if (next + length - 1n > maxOffset) {
      return undefined;
    }
    if (isDoneRun) {
      if (BigInt(done.length) + length > BigInt(maxDoneOffsets)) {
        return undefined;
      }
      for (let offset = next; offset < next + length; offset += 1n) {
        done.push(offset.toString());
      }
    }
    next += length;
    isDoneRun = !isDoneRun;
  }
  // Empty, or ending on a run not done: not what the encoder writes.
  return isDoneRun ? undefined : done;
}

/** A minimal unsigned LEB128 varint of at most 63 bits, or undefined. */
function readVarint(
  payload: Buffer,
  start: number,
): { readonly value: bigint; readonly end: number } | undefined {
  let value = 0n;
  for (let index = 0; index < maxVarintBytes && start + index < payload.length; index += 1) {
    const byte = payload[start + index] as number;
    value |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if ((byte & 0x80) === 0) {
      // A zero last byte after the first would be a longer spelling of a shorter varint.
      return byte === 0 && index > 0 ? undefined : { value, end: start + index + 1 };
    }
  }
  return undefined;
}

function decodeBitset(first: bigint, payload: Buffer): readonly string[] | undefined {
  if (payload.length > 0 && payload[payload.length - 1] === 0) {
    return undefined; // trailing zero bytes: not the shortest bitset
  }
  const done = [first.toString()];
  for (let index = 0; index < payload.length; index += 1) {
    const byte = payload[index] as number;
    for (let bit = 0; bit < 8; bit += 1) {
      if ((byte & (1 << bit)) !== 0) {
        const offset = first + 1n + BigInt(index * 8 + bit);
        if (offset > maxOffset || done.length >= maxDoneOffsets) {
          return undefined;
        }
        done.push(offset.toString());
      }
    }
  }
  return done;
}
