import type { Logger } from '@ricochet/core';

export interface LoggedLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A Logger that keeps what it was told, so tests can check what a failure left behind. */
export function recordingLogger(lines: LoggedLine[] = []): Logger & { lines: LoggedLine[] } {
  const make = (bound: Record<string, unknown>): Logger & { lines: LoggedLine[] } => {
    const log =
      (level: LoggedLine['level']) =>
      (message: string, fields: Record<string, unknown> = {}): void => {
        lines.push({ level, message, fields: { ...bound, ...fields } });
      };
    return {
      lines,
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

/** The Confluent wire format: magic byte 0, big-endian schema id, payload. */
export function framed(schemaId: number, payload: number[] | Buffer = []): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(payload)]);
}
