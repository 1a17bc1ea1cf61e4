import { PassThrough } from 'node:stream';
import { runCli } from '@ricochet/cli';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ricochet` in-process with captured output, as a person would type `args`. */
export async function runCliCaptured(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = {},
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, {
    stdout,
    stderr,
    environment,
    ...(stdin === undefined ? {} : { stdin }),
  });
  return { code, stdout: out, stderr: err };
}
