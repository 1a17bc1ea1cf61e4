import { expect } from 'chai';
import type { ConsumedRecord } from '@ricochet/core';
import { type MainConsumerEvent, type RecordHandler } from '@ricochet/main-consumer';
import { compileMainConsumerOptions, RecordProcessor } from '@ricochet/main-consumer/internal';
import { testLogger } from '@ricochet/testing';

const record: ConsumedRecord = {
  topic: 'orders',
  partition: 1,
  offset: '10',
  timestamp: '1700000000000',
  key: null,
  value: Buffer.from('v'),
  headers: {},
};

function processorReporting(handler: RecordHandler<Buffer | null>, events: MainConsumerEvent[]) {
  const options = compileMainConsumerOptions({
    brokers: ['127.0.0.1:1'],
    groupId: 'billing',
    topics: ['orders'],
    tiers: '5s',
    logger: testLogger('main'),
    handler,
    onEvent: (event) => events.push(event),
  });
  return new RecordProcessor(options, testLogger('main'));
}

describe('RecordProcessor: the handled event', () => {
  it('reports how long the handler ran, and no error class when it returned', async () => {
    const events: MainConsumerEvent[] = [];
    const processor = processorReporting(
      () => new Promise((resolve) => setTimeout(resolve, 20)),
      events,
    );
    await processor.process(record);
    expect(events).to.have.length(1);
    const [event] = events;
    expect(event).to.include({ type: 'handled', topic: 'orders', partition: 1 });
    expect(event).to.have.property('errorClass', undefined);
    expect((event as { durationSeconds: number }).durationSeconds).to.be.within(0.015, 1);
  });

  it('reports the class of the error the handler threw', async () => {
    const events: MainConsumerEvent[] = [];
    const processor = processorReporting(() => {
      throw new RangeError('no stock');
    }, events);
    expect((await processor.process(record)).outcome).to.include({ kind: 'sent-to-tier' });
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ type: 'handled', errorClass: 'RangeError' });
  });

  it('does not call a decoding failure a handler failure: the handler never ran', async () => {
    const events: MainConsumerEvent[] = [];
    const options = compileMainConsumerOptions({
      brokers: ['127.0.0.1:1'],
      groupId: 'billing',
      topics: ['orders'],
      logger: testLogger('main'),
      handler: () => {},
      decode: () => {
        throw new SyntaxError('not JSON');
      },
      onEvent: (event) => events.push(event),
    });
    const processor = new RecordProcessor(options, testLogger('main'));
    expect((await processor.process(record)).outcome).to.include({ reason: 'decode-failed' });
    expect(events).to.deep.equal([]);
  });
});
