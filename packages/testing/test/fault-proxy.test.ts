import { expect } from 'chai';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  closedLocalPort,
  FaultProxy,
  KafkaFrameSplitter,
  produceApiKey,
  readRequestHeader,
  sleep,
} from '@ricochet/testing';

const metadataApiKey = 3;

/** A request frame: int32 size, int16 apiKey, int16 apiVersion, int32 correlationId. */
function request(apiKey: number, correlationId: number): Buffer {
  const frame = Buffer.alloc(12);
  frame.writeInt32BE(8, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(correlationId, 8);
  return frame;
}

/** A TCP server that answers every request frame with its correlation id, and counts them. */
async function answeringServer(): Promise<{ server: Server; port: number; received: number[] }> {
  const received: number[] = [];
  const server = createServer((socket) => {
    const frames = new KafkaFrameSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        const { apiKey, correlationId } = readRequestHeader(frame);
        received.push(apiKey);
        const response = Buffer.alloc(8);
        response.writeInt32BE(4, 0);
        response.writeInt32BE(correlationId, 4);
        socket.write(response);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

/** Connects, sends `frame` and resolves to the correlation id answered, or how it ended. */
async function exchange(port: number, frame: Buffer): Promise<number | 'closed' | 'refused'> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(frame));
    socket.once('data', (chunk: Buffer) => {
      resolve(chunk.readInt32BE(4));
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'closed'),
    );
    socket.once('close', () => resolve('closed'));
  });
}

describe('FaultProxy (real sockets)', () => {
  let target: Awaited<ReturnType<typeof answeringServer>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    target = await answeringServer();
    proxy = new FaultProxy({ listenPort: await closedLocalPort(), targetPort: target.port });
    await proxy.start();
  });

  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => target.server.close(resolve));
  });

  it('forwards the lost request, swallows its response, then refuses connections for a while', async () => {
    const lost = proxy.loseNextResponse(produceApiKey, 400);
    expect(await exchange(proxy.port, request(metadataApiKey, 1))).to.equal(1);
    expect(await exchange(proxy.port, request(produceApiKey, 2))).to.equal('closed');
    await lost;
    expect(target.received).to.deep.equal([metadataApiKey, produceApiKey]);
    expect(await exchange(proxy.port, request(produceApiKey, 3))).to.equal('refused');
    await sleep(500);
    expect(await exchange(proxy.port, request(produceApiKey, 4))).to.equal(4);
  });

  it('cuts off one kind of request for a while and lets the others through', async () => {
    proxy.cutRequests(produceApiKey, 300);
    expect(await exchange(proxy.port, request(produceApiKey, 1))).to.equal('closed');
    expect(await exchange(proxy.port, request(metadataApiKey, 2))).to.equal(2);
    expect(target.received).to.deep.equal([metadataApiKey]);
    await sleep(350);
    expect(await exchange(proxy.port, request(produceApiKey, 3))).to.equal(3);
  });

  it('lets requests of the kind through again once a cut is ended early', async () => {
    proxy.cutRequests(produceApiKey, 60_000);
    expect(await exchange(proxy.port, request(produceApiKey, 1))).to.equal('closed');
    proxy.endCut();
    expect(await exchange(proxy.port, request(produceApiKey, 2))).to.equal(2);
    expect(target.received).to.deep.equal([produceApiKey]);
  });

  it('takes connections again once an outage is ended early, and ends it only once', async () => {
    const lost = proxy.loseNextResponse(produceApiKey, 60_000);
    expect(await exchange(proxy.port, request(produceApiKey, 1))).to.equal('closed');
    await lost;
    expect(await exchange(proxy.port, request(produceApiKey, 2))).to.equal('refused');
    await proxy.endOutage();
    expect(await exchange(proxy.port, request(produceApiKey, 3))).to.equal(3);
    await proxy.endOutage();
    expect(await exchange(proxy.port, request(produceApiKey, 4))).to.equal(4);
  });

  it('lets the response through when the loss was cancelled first', async () => {
    void proxy.loseNextResponse(produceApiKey, 400);
    proxy.cancelLoss();
    expect(await exchange(proxy.port, request(produceApiKey, 5))).to.equal(5);
  });
});
