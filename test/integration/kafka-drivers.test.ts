// What the two drivers must agree on where one service writes and another reads: each pairing of
// writer and reader, against the real broker.
import { expect } from 'chai';
import {
  CommittedOffsetReader,
  createKafkaClient,
  createServiceConsumer,
  kafkaDrivers,
  type KafkaDriver,
} from '@ricochet/kafka';
import {
  createTestTopics,
  produceRecords,
  testBrokers,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

function clientOn(driver: KafkaDriver) {
  return createKafkaClient({ brokers: testBrokers(), driver, logger: testLogger('kafka') });
}

describe('the Kafka drivers against each other (real broker)', function () {
  this.timeout(60_000);

  for (const writer of kafkaDrivers) {
    for (const reader of kafkaDrivers) {
      it(`commit metadata written on ${writer} reads back unchanged on ${reader}`, async () => {
        const topic = uniqueName('metadata');
        const groupId = uniqueName('metadata-group');
        await createTestTopics([topic], 1);
        await produceRecords([{ topic, key: null, value: Buffer.from('one'), headers: {} }]);
        const consumer = createServiceConsumer(clientOn(writer), {
          groupId,
          sessionTimeoutMilliseconds: 10_000,
          maxWaitMilliseconds: 100,
        });
        let read = false;
        await consumer.start({
          topics: [topic],
          fromBeginning: true,
          eachBatch: async () => {
            read = true;
          },
        });
        const metadata = '{"attempt":"0","owner":"a"}';
        try {
          await waitFor('the record to be read', () => (read ? true : undefined));
          await consumer.commit(topic, 0, '1', metadata);
        } finally {
          await consumer.disconnect();
        }
        const committed = new CommittedOffsetReader(clientOn(reader), groupId);
        await committed.connect();
        try {
          expect(await committed.read(topic, 0)).to.deep.equal({ offset: '1', metadata });
        } finally {
          await committed.disconnect();
        }
      });
    }
  }
});
