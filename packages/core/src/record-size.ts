import type { HeaderValue, OutgoingRecord } from './record.js';

/** Bytes of a record batch's own header in Kafka's message format v2. */
export const recordBatchOverheadBytes = 61;

/** A varint-encoded int32 takes at most 5 bytes, a varlong at most 10. */
const varint = 5;
const varlong = 10;

function byteLength(value: HeaderValue | null): number {
  if (value === null) {
    return 0;
  }
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * An upper bound on the bytes one record takes in an uncompressed record batch (message format
 * v2): what a topic's max.message.bytes is measured against, batch header aside.
 */
export function recordSizeBound(record: Pick<OutgoingRecord, 'key' | 'value' | 'headers'>): number {
  // length, attributes, timestamp delta, offset delta, key length, value length, header count
  let size = varint + 1 + varlong + varint + varint + varint + varint;
  size += byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      size += varint + Buffer.byteLength(name) + varint + byteLength(item);
    }
  }
  return size;
}

/**
 * Splits `items`, in order, into runs whose sizes add up to at most `budget`. An item larger than
 * the budget on its own gets a run of its own: it is never split, only isolated.
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  budget: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentSize = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && currentSize + size > budget) {
      chunks.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(item);
    currentSize += size;
  }
  if (current.length > 0) {
    chunks.push(current);
  }
  return chunks;
}
