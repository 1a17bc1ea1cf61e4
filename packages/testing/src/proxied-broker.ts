import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { kafkaScript } from './broker.js';
import { FaultProxy } from './fault-proxy.js';

const run = promisify(execFile);

/** Ports of a private broker: its own listener, its controller, and the one behind the proxy. */
export interface ProxiedBrokerPorts {
  readonly broker: number;
  readonly controller: number;
  readonly proxied: number;
  readonly proxy: number;
}

/** A private broker (scripts/kafka) reached directly by the test and through a FaultProxy by services. */
export interface ProxiedBroker {
  /** For the test's own clients: never behind the proxy. */
  readonly direct: string[];
  /** For the services under test: every connection goes through `proxy`. */
  readonly proxied: string[];
  readonly proxy: FaultProxy;
  /** Stops the proxy and the broker, and deletes the broker's data. */
  stop(): Promise<void>;
}

/** <repo>/.state, found from this file whether it runs from src/ or dist/. */
const stateRoot = fileURLToPath(new URL('../../../.state', import.meta.url));

/**
 * Starts a fresh private broker named `name` (state under <repo>/.state/<name>) whose second
 * listener advertises the proxy's port, so that clients bootstrapping through the proxy learn
 * its address from every Metadata and FindCoordinator answer and stay behind it.
 */
export async function startProxiedBroker(
  name: string,
  ports: ProxiedBrokerPorts,
): Promise<ProxiedBroker> {
  const environment = {
    ...process.env,
    RICOCHET_STATE_DIR: join(stateRoot, name),
    RICOCHET_KAFKA_PORT: String(ports.broker),
    RICOCHET_KAFKA_CONTROLLER_PORT: String(ports.controller),
    RICOCHET_KAFKA_PROXIED_PORT: String(ports.proxied),
    RICOCHET_KAFKA_PROXY_PORT: String(ports.proxy),
  };
  const script = (command: string) =>
    run(kafkaScript, [command], { env: environment, maxBuffer: 16 * 1024 * 1024 });
  // A broker left over from an interrupted run is stopped and emptied: every run starts clean.
  await script('reset');
  await script('start');
  const proxy = new FaultProxy({ listenPort: ports.proxy, targetPort: ports.proxied });
  await proxy.start();
  return {
    direct: [`127.0.0.1:${ports.broker}`],
    proxied: [`127.0.0.1:${ports.proxy}`],
    proxy,
    stop: async () => {
      try {
        await proxy.close();
      } finally {
        await script('reset');
      }
    },
  };
}
