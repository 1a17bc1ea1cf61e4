import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { connectWhileBrokerUnreachable, isUnretriedUnreachableBroker } from '../src/producer-id.js';

const refused = () => new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED');

describe('connectWhileBrokerUnreachable', () => {
  it('disconnects and tries again while a broker cannot be reached', async () => {
    const calls: string[] = [];
    await connectWhileBrokerUnreachable(
      async () => {
        calls.push('connect');
        if (calls.length === 1) {
          throw refused();
        }
      },
      async () => {
        calls.push('disconnect');
      },
    );
    expect(calls).to.deep.equal(['connect', 'disconnect', 'connect']);
  });

  it('throws any other failure at once', async () => {
    let attempts = 0;
    const refusal = new Error('not authorized');
    const outcome = await connectWhileBrokerUnreachable(
      async () => {
        attempts += 1;
        throw refusal;
      },
      async () => {},
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).to.equal(refusal);
    expect(attempts).to.equal(1);
  });

  it('leaves a failure after the client’s own retries (no broker reachable) to the caller', () => {
    expect(isUnretriedUnreachableBroker(refused())).to.equal(true);
    const spent = new kafkajs.KafkaJSNumberOfRetriesExceeded(refused(), {
      retryCount: 5,
      retryTime: 3000,
    });
    expect(isUnretriedUnreachableBroker(spent)).to.equal(false);
    expect(isUnretriedUnreachableBroker(new Error('other'))).to.equal(false);
  });
});
