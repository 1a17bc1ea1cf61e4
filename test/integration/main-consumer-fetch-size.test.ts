import { expect } from 'chai';
import { createMainConsumer } from '@ricochet/main-consumer';
import { createReliableProducer } from '@ricochet/kafka';
import {
  createTestTopics,
  testConnection,
  testKafka,
  testLogger,
  testMaxWaitMilliseconds,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import { deleteTopicsIfPresent } from './pipeline-fixture.js';

const records = 20;
const valueBytes = 8_192;

/** The records of each batch the main consumer of a fresh group read of `topic`, in order. */
async function batchSizes(topic: string, maxBytesPerPartition?: number): Promise<number[]> {
  const sizes: number[] = [];
  const consumer = createMainConsumer({
    ...testConnection(),
    groupId: uniqueName('fetch-size'),
    topics: [topic],
    fromBeginning: true,
    maxWaitMilliseconds: testMaxWaitMilliseconds,
    logger: testLogger('main'),
    ...(maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition }),
    handler: () => {},
    onEvent: (event) => {
      if (event.type === 'consumed' && event.records > 0) {
        sizes.push(event.records);
      }
    },
  });
  await consumer.start();
  try {
    await waitFor('every record consumed', () =>
      sizes.reduce((sum, size) => sum + size, 0) === records ? true : undefined,
    );
  } finally {
    await consumer.stop();
  }
  return sizes;
}

describe('main consumer: maxBytesPerPartition (real broker)', function () {
  this.timeout(60_000);

  it('fetches at most maxBytesPerPartition of a partition at once; the default, 1 MiB, fetches every record there', async () => {
    const topic = uniqueName('fetch-size');
    await createTestTopics([topic]);
    try {
      // One produce request each: a record batch of its own, which a fetch returns whole or not.
      const producer = createReliableProducer(testKafka());
      await producer.connect();
      try {
        for (let index = 0; index < records; index += 1) {
          await producer.publishAcknowledged([
            { topic, key: null, value: Buffer.alloc(valueBytes, index), headers: {} },
          ]);
        }
      } finally {
        await producer.disconnect();
      }
      const small = await batchSizes(topic, 10_000);
      expect(Math.max(...small), `batches ${small.join(', ')}`).to.be.at.most(2);
      const byDefault = await batchSizes(topic);
      expect(byDefault, 'one fetch brings all 160 KiB').to.deep.equal([records]);
    } finally {
      await deleteTopicsIfPresent([topic]);
    }
  });
});
