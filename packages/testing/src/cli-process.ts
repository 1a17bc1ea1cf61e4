import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `ricochet` command, as operators run it: a process of its own. */
const cliBin = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));

/** A `ricochet` process, with everything it printed so far and its exit code once it ends. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Standard output and standard error, interleaved as they arrived. */
  log(): string;
  /** The exit code, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM unless told) and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL if it is still running: for `finally` blocks, so no test leaves a process behind. */
  kill(): void;
}

export function spawnCli(args: readonly string[], environment: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [cliBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...environment },
  });
  let log = '';
  const append = (chunk: Buffer): void => {
    log += chunk.toString();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    log: () => log,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (running()) {
        child.kill(signal);
      }
      return exited;
    },
    kill: () => {
      if (running()) {
        child.kill('SIGKILL');
      }
    },
  };
}
