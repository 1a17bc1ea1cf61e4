import avsc from 'avsc';
import type { Type } from 'avsc';

const minSafe = BigInt(Number.MIN_SAFE_INTEGER);
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);
const minLong = -(2n ** 63n);
const maxLong = 2n ** 63n - 1n;

/** A number where that is exact, so that ordinary longs stay ordinary numbers. */
function narrow(value: bigint): number | bigint {
  return value >= minSafe && value <= maxSafe ? Number(value) : value;
}

function isLong(value: unknown): boolean {
  if (typeof value === 'bigint') {
    return value >= minLong && value <= maxLong;
  }
  return Number.isSafeInteger(value);
}

/**
 * avsc's own long type refuses any long beyond ±2^53 ("potential precision loss"), which would
 * make a perfectly valid record undecodable. This one reads every long exactly: a number when it
 * fits, a bigint when it does not.
 */
export const wideLongType: Type = avsc.types.LongType.__with({
  fromBuffer: (bytes: Buffer) => narrow(bytes.readBigInt64LE()),
  toBuffer: (value: number | bigint) => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64LE(BigInt(value));
    return bytes;
  },
  fromJSON: (json: number | string) => narrow(BigInt(json)),
  // Avro's JSON encoding has no bigint; a string keeps every digit.
  toJSON: (value: number | bigint) => (typeof value === 'bigint' ? value.toString() : value),
  isValid: isLong,
  compare: (left: number | bigint, right: number | bigint) =>
    left < right ? -1 : left > right ? 1 : 0,
});

/** An avsc `typeHook` that puts {@link wideLongType} wherever a schema says `long`. */
export function wideLongHook(schema: unknown): Type | undefined {
  const isLongSchema =
    schema === 'long' ||
    (typeof schema === 'object' &&
      schema !== null &&
      !Array.isArray(schema) &&
      (schema as { type?: unknown }).type === 'long');
  return isLongSchema ? wideLongType : undefined;
}
