import { FaultProxy } from '@ricochet/testing';
import { ChaosBroker } from './broker.js';
import { ChaosCluster, clusterPorts } from './cluster.js';
import type { ChaosOptions } from './options.js';

/** The single broker, and the fault proxy the fleet reaches it through. */
export interface SingleBroker {
  readonly broker: ChaosBroker;
  readonly proxy: FaultProxy;
}

/**
 * The Kafka a run uses: its own single broker behind a fault proxy, or its own three-node cluster
 * (a cluster profile). Either way started fresh, and stopped on the way out.
 */
export interface RunKafka {
  /** The runner's own clients (traffic, checks): straight to the broker. */
  readonly brokers: string[];
  /** The services': through the fault proxy on the single broker. */
  readonly fleetBrokers: string[];
  /** Ports the brokers and the proxy listen on: free before the start. */
  readonly ports: number[];
  readonly single: SingleBroker | undefined;
  readonly cluster: ChaosCluster | undefined;
  /** Stops what an earlier run left running and deletes its data. */
  reset(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker or the cluster (the single broker's proxy is closed before, on its own). */
  stop(): Promise<void>;
  /** For the process 'exit' handler. */
  stopSynchronously(): void;
}

export function runKafka(
  options: ChaosOptions,
  scripts: { readonly kafka: string; readonly cluster: string },
): RunKafka {
  if (options.cluster !== undefined) {
    const cluster = new ChaosCluster({
      script: scripts.cluster,
      stateDir: options.stateDir,
      port: options.clusterPort,
    });
    return {
      brokers: cluster.brokers,
      fleetBrokers: cluster.brokers,
      ports: clusterPorts(options.clusterPort),
      single: undefined,
      cluster,
      reset: () => cluster.reset(),
      start: () => cluster.start(),
      stop: () => cluster.stop(),
      stopSynchronously: () => cluster.stopSynchronously(),
    };
  }
  const broker = new ChaosBroker({
    script: scripts.kafka,
    stateDir: options.stateDir,
    port: options.brokerPort,
    controllerPort: options.controllerPort,
    proxied: { port: options.proxyPort, listenerPort: options.proxyPort + 1 },
  });
  // The fleet reaches the broker only through the proxy; the runner's own clients go direct.
  const proxy = new FaultProxy({
    listenPort: options.proxyPort,
    targetPort: options.proxyPort + 1,
  });
  return {
    brokers: broker.brokers,
    fleetBrokers: broker.proxiedBrokers,
    ports: [options.brokerPort, options.controllerPort, options.proxyPort, options.proxyPort + 1],
    single: { broker, proxy },
    cluster: undefined,
    reset: () => broker.reset(),
    start: async () => {
      await broker.start();
      await proxy.start();
    },
    // The proxy is closed on its own first (run.ts): each clean-up step reports its failure.
    stop: () => broker.stop(),
    stopSynchronously: () => broker.stopSynchronously(),
  };
}
