import { spawnSync } from 'node:child_process';
import { runBrokerScript } from './script.js';

export interface ClusterSettings {
  /** scripts/kafka-cluster */
  readonly script: string;
  readonly stateDir: string;
  /** The first node's client port; node N listens on port + N - 1, its controller on port + N + 2. */
  readonly port: number;
}

/** scripts/kafka-cluster numbers its nodes 1, 2, 3; a node's id is also its broker id. */
export const clusterNodeIds: readonly number[] = [1, 2, 3];

/** Every partition on every node. */
export const clusterReplicationFactor = clusterNodeIds.length;

/**
 * What infra/kafka/cluster.properties sets by default; the run's topics get it from
 * `ricochet topology create`, as an operator's would: a write with acks=all needs two copies.
 */
export const clusterMinInsyncReplicas = 2;

/** Ports a cluster at `port` takes: each node's client and controller port. */
export function clusterPorts(port: number): number[] {
  return Array.from({ length: clusterNodeIds.length * 2 }, (_, index) => port + index);
}

/**
 * The run's own three-node cluster: scripts/kafka-cluster with its own state directory and
 * ports, so that its nodes can be killed, stopped and restarted without touching anyone's broker.
 */
export class ChaosCluster {
  readonly #settings: ClusterSettings;
  readonly #environment: NodeJS.ProcessEnv;
  #mayBeRunning = false;

  constructor(settings: ClusterSettings) {
    this.#settings = settings;
    this.#environment = {
      ...process.env,
      RICOCHET_STATE_DIR: settings.stateDir,
      RICOCHET_KAFKA_CLUSTER_PORT: String(settings.port),
    };
  }

  /** The bootstrap list: every node. */
  get brokers(): string[] {
    return clusterNodeIds.map((id) => `127.0.0.1:${this.#settings.port + id - 1}`);
  }

  /** Stops a cluster left over from an earlier run and deletes its data. */
  async reset(): Promise<void> {
    await this.#script(['reset']);
  }

  /** Starts every node; resolves once all three answer with all three brokers registered. */
  async start(): Promise<void> {
    this.#mayBeRunning = true;
    await this.#script(['start']);
  }

  async stop(): Promise<void> {
    await this.#script(['stop']);
    this.#mayBeRunning = false;
  }

  /** kill -9 of one node; resolves once its process is gone. */
  async killBroker(id: number): Promise<void> {
    await this.#script(['kill-broker', String(id)]);
  }

  /** SIGTERM: a controlled shutdown, which hands the node's leaderships over first. */
  async stopBroker(id: number): Promise<void> {
    await this.#script(['stop-broker', String(id)]);
  }

  /** Resolves once the node answers and the cluster lists all three brokers again. */
  async startBroker(id: number): Promise<void> {
    await this.#script(['start-broker', String(id)]);
  }

  /** For the process 'exit' handler, where nothing asynchronous runs any more. */
  stopSynchronously(): void {
    if (this.#mayBeRunning) {
      spawnSync(this.#settings.script, ['stop'], { env: this.#environment, stdio: 'ignore' });
      this.#mayBeRunning = false;
    }
  }

  async #script(args: readonly string[]): Promise<void> {
    await runBrokerScript(
      this.#settings.script,
      args,
      this.#environment,
      `scripts/kafka-cluster ${args.join(' ')} for the chaos cluster on port ${this.#settings.port}`,
    );
  }
}
