import { expect } from 'chai';
import { testLogger } from '@ricochet/testing';
import {
  createKafkaClient,
  createServiceConsumer,
  NoGroupSessionError,
  ServiceLifecycle,
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
