import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NonRetryableError } from '@ricochet/core';
import { createRegistryDecoder, createValueDescriber } from '@ricochet/value-decoder';
import { framed, recordingLogger } from './helpers.js';

/** A registry that accepts connections and never answers: the worst way for one to fail. */
describe('a registry that never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let registryUrl: string;

  before(async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('describes a framed value as bytes once the timeout passes', async () => {
    const describer = createValueDescriber({
      registryUrl,
      logger: recordingLogger(),
      timeoutMilliseconds: 300,
    });
    const began = Date.now();
    const described = await describer.describe(framed(3, [0x02]));
    expect(Date.now() - began).to.be.within(250, 2_000);
    expect(described).to.deep.include({ format: 'binary', schemaId: 3 });
    expect(described.decodeError).to.equal(
      `the schema registry at ${registryUrl} did not answer within 300 ms`,
    );
  });

  it('makes the decoder throw NonRetryableError once the timeout passes', async () => {
    const decode = createRegistryDecoder({ registryUrl, timeoutMilliseconds: 300 });
    const error = await decode(framed(3, [0x02])).catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.equal(
      `could not decode the value with schema id 3: the schema registry at ${registryUrl} did not answer within 300 ms`,
    );
  });
});
