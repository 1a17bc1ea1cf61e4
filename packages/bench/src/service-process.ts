import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { KafkaDriver } from '@ricochet/kafka';
import { waitFor } from '@ricochet/testing';
import { profilingFlags } from './profiling.js';

/** The `ricochet` command of this checkout (packages/cli/dist/bin.js). */
const cliBin = fileURLToPath(new URL('./bin.js', import.meta.resolve('@ricochet/cli')));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') {
    throw new Error('no TCP port could be had for a service');
  }
  return address.port;
}

/** Resident memory of a process, from /proc/<pid>/status (Linux). */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly residentBytes: number;
  /** VmHWM: the most it was ever resident. */
  readonly peakResidentBytes: number;
}

function kilobytesField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) {
    throw new Error(`/proc status has no ${field} line`);
  }
  return Number(match[1]) * 1024;
}

/**
 * A Ricochet service run as production runs it: `ricochet run <role> ...` in a process of its
 * own, with its HTTP endpoints on a free local port for readiness and metrics.
 */
export class ServiceProcess {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #name: string;
  #exited = false;

  private constructor(name: string, child: ChildProcess, port: number) {
    this.#name = name;
    this.#child = child;
    this.#port = port;
    child.on('exit', () => (this.#exited = true));
  }

  /** Starts `ricochet run <args>` and waits until its /readyz says it owns partitions. */
  static async start(name: string, args: readonly string[]): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        ...profilingFlags(),
        cliBin,
        'run',
        ...args,
        '--http-port',
        String(port),
        '--http-host',
        '127.0.0.1',
        '--log-level',
        'warn',
        '--log-format',
        'json',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const service = new ServiceProcess(name, child, port);
    try {
      await waitFor(
        `${name} to be ready`,
        async () => {
          if (service.#exited) {
            throw new Error(`${name} exited during start-up`);
          }
          return (await service.get('/readyz').catch(() => undefined))?.status === 200
            ? true
            : undefined;
        },
        { timeoutMilliseconds: 60_000, intervalMilliseconds: 200 },
      );
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  get pid(): number {
    const { pid } = this.#child;
    if (pid === undefined) {
      throw new Error(`${this.#name} has no process id`);
    }
    return pid;
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${this.#port}${path}`);
    return { status: response.status, body: await response.text() };
  }

  /** The value of one Prometheus sample of /metrics, e.g. `ricochet_records_held{tier="retry-5s"}`. */
  async metric(sample: string): Promise<number | undefined> {
    const { body } = await this.get('/metrics');
    const line = body.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
    return line === undefined ? undefined : Number(line.slice(sample.length + 1));
  }

  memory(): ProcessMemory {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return {
      residentBytes: kilobytesField(status, 'VmRSS'),
      peakResidentBytes: kilobytesField(status, 'VmHWM'),
    };
  }

  /** SIGTERM, as an orchestrator stops a service; SIGKILL if it has not exited within 30 s. */
  async stop(): Promise<void> {
    if (this.#exited) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * `ricochet run delay` on `driver` for `tier`, in group `group`, dead-lettering to `dlq`; waits
 * until ready.
 */
export function startDelayService(
  brokers: readonly string[],
  driver: KafkaDriver,
  tier: string,
  group: string,
  dlq: string,
): Promise<ServiceProcess> {
  return ServiceProcess.start(`the delay consumer of ${tier} on ${driver}`, [
    'delay',
    '--brokers',
    brokers.join(','),
    '--driver',
    driver,
    '--tier',
    tier,
    '--group',
    group,
    '--dlq',
    dlq,
  ]);
}
