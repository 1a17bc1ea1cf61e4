import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@ricochet/core';

export type Role = 'main' | 'delay' | 'dlq';

export const roles: readonly Role[] = ['main', 'delay', 'dlq'];

/** One service instance: `ricochet run <args>` with its own HTTP port and log file. */
export interface InstanceSpec {
  /** Unique in the run, and the log file's name: main-1, delay-retry-8s-2, dlq-1. */
  readonly name: string;
  readonly role: Role;
  readonly args: readonly string[];
  readonly httpPort: number;
  readonly environment: Readonly<Record<string, string>>;
}

/** A process exit: `expected` when the run caused it (kill -9, scale-down, the final stop). */
export interface ExitRecord {
  readonly name: string;
  readonly role: Role;
  readonly code: number | null;
  readonly signal: string | null;
  readonly expected: boolean;
  readonly at: number;
  readonly uptimeMilliseconds: number;
}

export interface SupervisorOptions {
  /** packages/cli/dist/bin.js */
  readonly cliBin: string;
  readonly runDirectory: string;
  readonly logger: Logger;
  /** First wait before restarting an instance that exited on its own; doubles each time. */
  readonly initialRestartDelayMilliseconds: number;
  readonly maxRestartDelayMilliseconds: number;
}

/** An instance that ran this long before exiting starts its restart delay over. */
const healthyUptimeMilliseconds = 30_000;

/** A supervised service instance; `Supervisor` owns its process. */
export class Instance {
  readonly spec: InstanceSpec;
  readonly log: WriteStream;
  process: ChildProcess | undefined;
  startedAt = 0;
  starts = 0;
  /** Set before a signal the run sends, so that the exit is not taken for a crash. */
  exitExpected = false;
  /** Retired (scaled down or finally stopped): never restarted. */
  retired = false;
  consecutiveCrashes = 0;
  restartTimer: NodeJS.Timeout | undefined;

  constructor(spec: InstanceSpec, log: WriteStream) {
    this.spec = spec;
    this.log = log;
  }

  get running(): boolean {
    return (
      this.process !== undefined &&
      this.process.exitCode === null &&
      this.process.signalCode === null
    );
  }
}

/**
 * Starts service processes and keeps them running like an orchestrator would: an instance that
 * exits on its own is restarted after a growing delay, and its exit is recorded as unexpected.
 * The run's own kills and stops are recorded as expected.
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #instances: Instance[] = [];
  readonly exits: ExitRecord[] = [];
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  /** The instances not retired, of one role or all. */
  instances(role?: Role): Instance[] {
    return this.#instances.filter(
      (instance) => !instance.retired && (role === undefined || instance.spec.role === role),
    );
  }

  launch(spec: InstanceSpec): Instance {
    const log = createWriteStream(join(this.#options.runDirectory, `${spec.name}.log`), {
      flags: 'a',
    });
    const instance = new Instance(spec, log);
    this.#instances.push(instance);
    this.#spawn(instance);
    return instance;
  }

  /** kill -9; resolves once the process is gone. The instance stays down until `relaunch`. */
  async kill(instance: Instance): Promise<void> {
    await this.#signalAndWait(instance, 'SIGKILL');
  }

  relaunch(instance: Instance): void {
    if (!instance.retired && !this.#stopping && !instance.running) {
      this.#spawn(instance);
    }
  }

  /**
   * SIGTERM, then SIGKILL after `graceMilliseconds`; the instance is never restarted. Resolves
   * to how it exited.
   */
  async retire(instance: Instance, graceMilliseconds: number): Promise<ExitRecord | undefined> {
    instance.retired = true;
    clearTimeout(instance.restartTimer);
    const timer = setTimeout(() => instance.process?.kill('SIGKILL'), graceMilliseconds);
    try {
      return await this.#signalAndWait(instance, 'SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Retires every instance at once (the end of the run); resolves to their exits. */
  async stopAll(graceMilliseconds: number): Promise<Map<string, ExitRecord | undefined>> {
    this.#stopping = true;
    const live = this.instances();
    const exits = await Promise.all(
      live.map((instance) => this.retire(instance, graceMilliseconds)),
    );
    return new Map(live.map((instance, index) => [instance.spec.name, exits[index]]));
  }

  /** Ends every instance's log file; call once no process runs any more. */
  closeLogs(): void {
    this.#instances.forEach((instance) => instance.log.end());
  }

  /** For the process 'exit' handler: SIGKILL whatever still runs, without waiting. */
  killAllSynchronously(): void {
    this.#stopping = true;
    for (const instance of this.#instances) {
      clearTimeout(instance.restartTimer);
      if (instance.running) {
        instance.exitExpected = true;
        instance.process?.kill('SIGKILL');
      }
    }
  }

  async #signalAndWait(
    instance: Instance,
    signal: NodeJS.Signals,
  ): Promise<ExitRecord | undefined> {
    const child = instance.process;
    if (child === undefined || !instance.running) {
      return undefined;
    }
    instance.exitExpected = true;
    // Listeners run in order: #onExit, registered at spawn, has recorded the exit by then.
    const exited = new Promise<ExitRecord | undefined>((resolve) =>
      child.once('exit', () =>
        resolve(this.exits.findLast((exit) => exit.name === instance.spec.name)),
      ),
    );
    child.kill(signal);
    return exited;
  }

  #spawn(instance: Instance): void {
    const { spec } = instance;
    instance.starts += 1;
    instance.exitExpected = false;
    instance.startedAt = Date.now();
    instance.log.write(
      `--- chaos: start #${instance.starts} of ${spec.name} at ${new Date().toISOString()}\n`,
    );
    const child = spawn(
      process.execPath,
      [
        this.#options.cliBin,
        'run',
        ...spec.args,
        '--http-port',
        String(spec.httpPort),
        '--http-host',
        '127.0.0.1',
        '--log-format',
        'json',
      ],
      {
        env: { ...process.env, ...spec.environment },
        // Their own process group: a Ctrl-C on the terminal reaches the runner only, which then
        // stops each instance once (a second signal would force an unclean exit).
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    instance.process = child;
    child.stdout.pipe(instance.log, { end: false });
    child.stderr.pipe(instance.log, { end: false });
    child.once('error', (error) => {
      this.#options.logger.error('could not start a service process', { name: spec.name, error });
    });
    child.once('exit', (code, signal) => this.#onExit(instance, code, signal));
  }

  #onExit(instance: Instance, code: number | null, signal: NodeJS.Signals | null): void {
    const { spec } = instance;
    const uptimeMilliseconds = Date.now() - instance.startedAt;
    const expected = instance.exitExpected;
    this.exits.push({
      name: spec.name,
      role: spec.role,
      code,
      signal,
      expected,
      at: Date.now(),
      uptimeMilliseconds,
    });
    instance.log.write(
      `--- chaos: ${spec.name} exited (code ${code}, signal ${signal}, ` +
        `${expected ? 'caused by the run' : 'on its own'}) at ${new Date().toISOString()}\n`,
    );
    if (expected || instance.retired || this.#stopping) {
      return;
    }
    instance.consecutiveCrashes =
      uptimeMilliseconds >= healthyUptimeMilliseconds ? 1 : instance.consecutiveCrashes + 1;
    const delay = Math.min(
      this.#options.maxRestartDelayMilliseconds,
      this.#options.initialRestartDelayMilliseconds * 2 ** (instance.consecutiveCrashes - 1),
    );
    this.#options.logger.warn('a service exited on its own; restarting it', {
      name: spec.name,
      code,
      signal,
      uptimeMilliseconds,
      restartInMilliseconds: delay,
      log: join(this.#options.runDirectory, `${spec.name}.log`),
    });
    instance.restartTimer = setTimeout(() => this.relaunch(instance), delay);
  }
}
