import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosInfrastructureError } from './errors.js';
import { runBrokerScript } from './script.js';

export interface BrokerSettings {
  /** scripts/kafka */
  readonly script: string;
  readonly stateDir: string;
  readonly port: number;
  readonly controllerPort: number;
  /**
   * A second listener on `listenerPort` that advertises `port`, where a fault proxy forwards to
   * it: clients bootstrapping through the proxy then stay behind it.
   */
  readonly proxied?: { readonly port: number; readonly listenerPort: number };
}

/** How the broker goes down for a restart: SIGKILL (a crash), or a clean stop. */
export type BrokerStopMode = 'kill' | 'stop';

const pollMilliseconds = 200;

/**
 * The run's own Kafka broker: scripts/kafka with its own state directory and ports, so that it
 * can be reset, killed and restarted without touching the broker anyone else uses.
 */
export class ChaosBroker {
  readonly #settings: BrokerSettings;
  readonly #environment: NodeJS.ProcessEnv;
  #mayBeRunning = false;

  constructor(settings: BrokerSettings) {
    this.#settings = settings;
    this.#environment = {
      ...process.env,
      RICOCHET_STATE_DIR: settings.stateDir,
      RICOCHET_KAFKA_PORT: String(settings.port),
      RICOCHET_KAFKA_CONTROLLER_PORT: String(settings.controllerPort),
      ...(settings.proxied === undefined
        ? {}
        : {
            RICOCHET_KAFKA_PROXY_PORT: String(settings.proxied.port),
            RICOCHET_KAFKA_PROXIED_PORT: String(settings.proxied.listenerPort),
          }),
    };
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.#settings.port}`];
  }

  /** The address behind the fault proxy, when there is one. */
  get proxiedBrokers(): string[] {
    const proxied = this.#settings.proxied;
    return proxied === undefined ? this.brokers : [`127.0.0.1:${proxied.port}`];
  }

  /** Stops a broker left over from an earlier run and deletes its data: every run starts empty. */
  async reset(): Promise<void> {
    await this.#script('reset');
  }

  async start(): Promise<void> {
    this.#mayBeRunning = true;
    await this.#script('start');
  }

  async stop(): Promise<void> {
    await this.#script('stop');
    this.#mayBeRunning = false;
  }

  /** Takes the broker down (SIGKILL or clean stop) and starts it again on the same data. */
  async restart(mode: BrokerStopMode): Promise<void> {
    if (mode === 'kill') {
      await this.#kill();
    } else {
      await this.stop();
    }
    await this.start();
  }

  /** For the process 'exit' handler, where nothing asynchronous runs any more. */
  stopSynchronously(): void {
    if (this.#mayBeRunning) {
      spawnSync(this.#settings.script, ['stop'], { env: this.#environment, stdio: 'ignore' });
      this.#mayBeRunning = false;
    }
  }

  async #kill(): Promise<void> {
    const pidFile = join(this.#settings.stateDir, 'kafka', 'kafka.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new ChaosInfrastructureError(`${pidFile} holds no process id`);
    }
    process.kill(pid, 'SIGKILL');
    while (isRunning(pid)) {
      await new Promise((resolve) => setTimeout(resolve, pollMilliseconds));
    }
    // scripts/kafka trusts `kill -0` on the pid in this file, which a zombie still passes until
    // whoever adopted the broker reaps it; a killed broker leaves no file, like a stopped one.
    rmSync(pidFile, { force: true });
  }

  async #script(command: string): Promise<void> {
    await runBrokerScript(
      this.#settings.script,
      [command],
      this.#environment,
      `scripts/kafka ${command} for the chaos broker on port ${this.#settings.port}`,
    );
  }
}

/** Alive and not a zombie: a killed process holds no port once it is a zombie. */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
  // The state follows the command name, which is in parentheses and may itself hold spaces.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
