import { createServer } from 'node:net';
import { ChaosInfrastructureError } from './errors.js';

/** Fails naming the first port something already listens on: a service there would crash-loop. */
export async function requireFreePorts(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error) =>
        reject(
          new ChaosInfrastructureError(
            `port ${port} is in use (see --http-base-port, --broker-port)`,
            {
              cause: error,
            },
          ),
        ),
      );
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
}
