import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RicochetError } from '@ricochet/core';

// The built CLI, whether this module runs from src/ (tests) or dist/: services run built code.
const cliBin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export class DemoServiceError extends RicochetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'DEMO_SERVICE', ...options });
  }
}

/** One process of the demo, started from the built CLI: the same code path production runs. */
export interface DemoService {
  readonly name: string;
  readonly httpPort: number;
  readonly logFile: string;
  readonly process: ChildProcess;
}

/** A `ricochet run <role>` service, its HTTP server (health, metrics) on `httpPort`. */
export function startService(
  name: string,
  args: readonly string[],
  httpPort: number,
  logFolder: string,
): DemoService {
  return startCli(
    name,
    [
      'run',
      ...args,
      '--http-port',
      String(httpPort),
      '--http-host',
      '127.0.0.1',
      '--log-format',
      'json',
    ],
    httpPort,
    logFolder,
  );
}

/** Any CLI command that serves /readyz on `httpPort` (the console), logging to its own file. */
export function startCli(
  name: string,
  argv: readonly string[],
  httpPort: number,
  logFolder: string,
): DemoService {
  mkdirSync(logFolder, { recursive: true });
  const logFile = join(logFolder, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [cliBin, ...argv],
    // Their own process group: Ctrl-C on the terminal reaches the demo only, which then stops
    // each service once. A terminal's SIGINT to the services as well would arrive as a second
    // signal while they stop, which forces an exit.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return { name, httpPort, logFile, process: child };
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, text: await response.text() };
}

/** Waits until every service answers /readyz with 200, or fails naming the one that did not. */
export async function waitUntilReady(
  services: readonly DemoService[],
  timeoutMilliseconds: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (const service of services) {
    for (;;) {
      if (service.process.exitCode !== null) {
        throw new DemoServiceError(
          `${service.name} exited with code ${service.process.exitCode}; see ${service.logFile}`,
        );
      }
      const ready = await fetchText(`http://127.0.0.1:${service.httpPort}/readyz`).then(
        (answer) => answer.status === 200,
        () => false,
      );
      if (ready) {
        break;
      }
      if (Date.now() > deadline) {
        throw new DemoServiceError(
          `${service.name} was not ready within ${timeoutMilliseconds} ms; see ${service.logFile}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** SIGTERM to all, then SIGKILL to any still running after the grace period. */
export async function stopServices(
  services: readonly DemoService[],
  graceMilliseconds: number,
): Promise<void> {
  await Promise.all(
    services.map(async ({ process: child }) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMilliseconds);
      await exited;
      clearTimeout(timer);
    }),
  );
}
