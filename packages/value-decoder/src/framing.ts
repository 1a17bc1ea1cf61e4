/** Magic byte plus the big-endian 32-bit schema id that precede every registry-encoded value. */
export const frameHeaderLength = 5;

/**
 * True when the value is in the Confluent wire format: magic byte 0, then a 4-byte big-endian
 * schema id, then the encoded payload. Registries number schemas from 1, so an id of 0 or below
 * means the bytes merely happen to start with a zero.
 */
export function isConfluentFramed(value: Buffer | null): boolean {
  return (
    value !== null &&
    value.length >= frameHeaderLength &&
    value[0] === 0 &&
    value.readInt32BE(1) > 0
  );
}

/** The schema id of a value {@link isConfluentFramed} accepted. */
export function frameSchemaId(value: Buffer): number {
  return value.readInt32BE(1);
}
