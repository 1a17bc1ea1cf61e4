import { expect } from 'chai';
import { closedLocalPort, sleep, testLogger } from '@ricochet/testing';
import {
  createKafkaClient,
  createServiceConsumer,
  NoGroupSessionError,
  ServiceLifecycle,
  ServiceStartAbandonedError,
  type ConsumerEvent,
} from '@ricochet/kafka';

describe('ServiceLifecycle commits', () => {
  it('refuses a commit without a group session, and reports it as a failed commit', async () => {
    const logger = testLogger('lifecycle');
    // Nothing connects: the client only connects when the consumer starts.
    const kafka = createKafkaClient({ brokers: ['127.0.0.1:9'], logger });
    const consumer = createServiceConsumer(kafka, {
      groupId: 'lifecycle-unit',
      sessionTimeoutMilliseconds: 10_000,
    });
    const events: ConsumerEvent[] = [];
    const lifecycle = new ServiceLifecycle(
      'lifecycle unit test',
      logger,
      { consumer, helpers: [] },
      { onEvent: (event) => events.push(event) },
    );
    const refused = await lifecycle.commitThrough('orders', 3, '41').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(NoGroupSessionError);
    expect((refused as NoGroupSessionError).retriable).to.equal(true);
    expect(events).to.deep.equal([
      { type: 'commit-failed', topic: 'orders', partition: 3, error: refused },
    ]);
  });
});

/** A helper whose connect() ends when the test says, and whose disconnect() may never end. */
class HeldHelper {
  connects = 0;
  disconnects = 0;
  finishConnect: () => void = () => {};
  constructor(private readonly disconnecting: () => Promise<void>) {}
  connect(): Promise<void> {
    this.connects += 1;
    return new Promise((resolve) => (this.finishConnect = resolve));
  }
  disconnect(): Promise<void> {
    this.disconnects += 1;
    return this.disconnecting();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function lifecycleAt(broker: string, helpers: HeldHelper[] = []) {
  const logger = testLogger('lifecycle');
  const consumer = createServiceConsumer(createKafkaClient({ brokers: [broker], logger }), {
    groupId: 'lifecycle-unit',
    sessionTimeoutMilliseconds: 10_000,
  });
  return new ServiceLifecycle('lifecycle unit test', logger, { consumer, helpers });
}

const consumption = { topics: ['orders'], fromBeginning: false, eachBatch: async () => {} };

describe('ServiceLifecycle stopped while starting', function () {
  // A stop that waits for a connection attempt takes as long as the client's retries.
  this.timeout(5_000);

  it('ends the start at once when a helper is still connecting, not waiting for it to disconnect', async () => {
    // Like a kafkajs client connected to a broker that never answers: its disconnect waits for
    // the request in flight.
    const helper = new HeldHelper(() => new Promise<void>(() => {}));
    const lifecycle = await lifecycleAt(`127.0.0.1:${await closedLocalPort()}`, [helper]);
    const starting = lifecycle.start(consumption).then(
      () => undefined,
      (error: unknown) => error,
    );
    await settle();
    expect(lifecycle.state).to.equal('starting');
    await lifecycle.stop();
    expect(await starting).to.be.instanceOf(ServiceStartAbandonedError);
    expect(lifecycle.state).to.equal('stopped');
    expect(helper.disconnects, 'told to disconnect at once').to.equal(1);
    helper.finishConnect();
    await settle();
    expect(helper.disconnects, 'and again once its connection is made after all').to.equal(2);
  });

  it('ends the start at once when the consumer is still retrying an address where nothing listens', async () => {
    const lifecycle = await lifecycleAt(`127.0.0.1:${await closedLocalPort()}`);
    const starting = lifecycle.start(consumption).then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(500);
    const stoppedAt = Date.now();
    await lifecycle.stop();
    const abandoned = await starting;
    expect(Date.now() - stoppedAt, 'the client retries for about 10 s').to.be.lessThan(1_000);
    expect(abandoned).to.be.instanceOf(ServiceStartAbandonedError);
    expect((abandoned as ServiceStartAbandonedError).code).to.equal(
      ServiceStartAbandonedError.code,
    );
    expect(lifecycle.state).to.equal('stopped');
  });

  it('does not start once stopped before starting, connecting nothing', async () => {
    const helper = new HeldHelper(async () => {});
    const lifecycle = await lifecycleAt(`127.0.0.1:${await closedLocalPort()}`, [helper]);
    await lifecycle.stop();
    const refused = await lifecycle.start(consumption).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ServiceStartAbandonedError);
    expect(helper.connects).to.equal(0);
    expect(lifecycle.state).to.equal('stopped');
  });
});
