import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testBrokers } from '@ricochet/testing';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A fixture process started from source, what it printed, and when it exits. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly log: () => string;
}

/**
 * Runs `script` (a path from the repository root) as its own process on the test broker, as a
 * service would run: a process the test can kill -9 at the moment it means to.
 */
export function spawnFixture(
  script: string,
  args: readonly string[],
  environment: NodeJS.ProcessEnv = {},
): FixtureProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions', 'ricochet-source', join(repositoryRoot, script), ...args],
    {
      cwd: repositoryRoot,
      env: { ...process.env, ...environment, KAFKA_BROKERS: testBrokers().join(',') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, log: () => log };
}
