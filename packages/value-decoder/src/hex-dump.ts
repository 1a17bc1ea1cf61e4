const bytesPerLine = 16;

/** Default cap for {@link hexDump}: 64 lines is as much as a person reads in a terminal. */
export const defaultHexDumpBytes = 1024;

function printable(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.';
}

function dumpLine(bytes: Buffer, offset: number): string {
  const line = bytes.subarray(offset, offset + bytesPerLine);
  const hex: string[] = [];
  for (let index = 0; index < bytesPerLine; index += 1) {
    const byte = line[index];
    hex.push(byte === undefined ? '  ' : byte.toString(16).padStart(2, '0'));
  }
  // The extra space after the eighth byte is what `hexdump -C` does: it makes columns countable.
  const left = hex.slice(0, 8).join(' ');
  const right = hex.slice(8).join(' ');
  const ascii = Array.from(line, printable).join('');
  return `${offset.toString(16).padStart(8, '0')}  ${left}  ${right}  |${ascii}|`;
}

/**
 * Renders bytes the way `hexdump -C` does: offset, 16 bytes in hex, and the same bytes as ASCII
 * (`.` for anything unprintable), one line per 16 bytes. Only the first `maxBytes` are shown; a
 * last line says how many were left out.
 */
export function hexDump(bytes: Buffer, maxBytes: number = defaultHexDumpBytes): string {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a whole number ≥ 0, got ${String(maxBytes)}`);
  }
  const shown = Math.min(bytes.length, maxBytes);
  const lines: string[] = [];
  for (let offset = 0; offset < shown; offset += bytesPerLine) {
    lines.push(dumpLine(bytes.subarray(0, shown), offset));
  }
  if (shown < bytes.length) {
    lines.push(`… ${bytes.length - shown} more bytes (${bytes.length} in all)`);
  }
  return lines.join('\n');
}
