import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifyDecodeError, NonRetryableError } from '@ricochet/core';
import { closedLocalPort } from '@ricochet/testing';
import {
  createRegistryDecoder,
  createValueDescriber,
  SchemaRegistryUnavailableError,
} from '@ricochet/value-decoder';
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

  it('makes the decoder throw a retriable SchemaRegistryUnavailableError once the timeout passes: the record is retried, not dead-lettered', async () => {
    const decode = createRegistryDecoder({ registryUrl, timeoutMilliseconds: 300 });
    const error = await decode(framed(3, [0x02])).catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(SchemaRegistryUnavailableError);
    expect(error).to.include({ retriable: true });
    expect(classifyDecodeError(error)).to.equal('retryable');
    expect((error as Error).message).to.equal(
      `could not decode the value with schema id 3: the schema registry at ${registryUrl} did not answer within 300 ms`,
    );
  });
});

describe('a registry nothing listens on', () => {
  it('makes the decoder throw a retriable SchemaRegistryUnavailableError, while an unframed value stays non-retryable', async () => {
    const decode = createRegistryDecoder({
      registryUrl: `http://127.0.0.1:${await closedLocalPort()}`,
    });
    const outage = await decode(framed(3, [0x02])).catch((thrown: unknown) => thrown);
    expect(outage).to.be.instanceOf(SchemaRegistryUnavailableError);
    expect(classifyDecodeError(outage)).to.equal('retryable');
    expect((outage as Error).message)
      .to.include('could not decode the value with schema id 3')
      .and.include('ECONNREFUSED');
    const unframed = await decode(Buffer.from('{}')).catch((thrown: unknown) => thrown);
    expect(unframed).to.be.instanceOf(NonRetryableError);
    expect(classifyDecodeError(unframed)).to.equal('non-retryable');
  });
});
