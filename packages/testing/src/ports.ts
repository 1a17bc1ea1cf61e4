import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A local port nothing listens on: one the OS handed out and took back. */
export async function closedLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A local listener that accepts connections and never answers: a broker that hangs. */
export interface SilentListener {
  readonly port: number;
  /** How many connections it has accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function listenSilently(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    // The client giving up resets the connection; that is no failure of the listener.
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    accepted: () => accepted,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
