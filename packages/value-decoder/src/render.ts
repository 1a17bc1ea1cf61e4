const minSafe = BigInt(Number.MIN_SAFE_INTEGER);
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * JSON.stringify throws on a bigint, turns NaN and Infinity into null, and spells a Buffer as
 * {"type":"Buffer","data":[...]}: none of which a person reading a decoded record can use.
 */
function readableJson(this: unknown, key: string, value: unknown): unknown {
  // `this[key]` is the value before its own toJSON ran, which is how a Buffer is recognised.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) {
    // Base64, as protobuf's JSON mapping renders bytes, so that all three formats agree.
    return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString(
      'base64',
    );
  }
  if (typeof value === 'bigint') {
    return value >= minSafe && value <= maxSafe ? Number(value) : value.toString();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return value;
}

/**
 * Pretty-prints (two spaces) what the registry client decoded: Avro records with longs as
 * numbers or bigints and bytes as Buffers, parsed JSON, or protobuf messages (whose own toJSON
 * already spells 64-bit integers as strings and bytes as base64).
 */
export function renderDecoded(value: unknown): string {
  return JSON.stringify(value, readableJson, 2) ?? String(value);
}
