/** Where a command writes: the real streams in bin.ts, buffers in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly environment: NodeJS.ProcessEnv;
  /** Where confirmations are read from; absent in tests and pipelines. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
