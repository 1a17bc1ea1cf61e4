import { escapeTerminalJson, escapeTerminalText } from '@ricochet/core';

/** Where a command writes: the real streams in bin.ts, buffers in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment: NodeJS.ProcessEnv;
  /** Where confirmations are read from; absent in tests and pipelines. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * Writes one line (or several) of text for a person. Whatever a record carried may be in it, so
 * every control character a terminal would act on is shown escaped; line feeds and tabs stay.
 */
export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${escapeTerminalText(text, { keepLineBreaks: true })}\n`);
}

/**
 * JSON.stringify for output: the same JSON, with the controls JSON leaves raw escaped as well,
 * so that writeLine finds nothing left to escape and the text stays valid JSON.
 */
export function jsonText(
  value: unknown,
  indent?: number,
  replacer?: (key: string, value: unknown) => unknown,
): string {
  return escapeTerminalJson(JSON.stringify(value, replacer, indent));
}
