import { expect } from 'chai';
import { tooLargeDeadLetter, type OutgoingRecord } from '@ricochet/core';
import { RecordTooLargeError, ReliablePublisher } from '@ricochet/kafka';
import {
  collectTopic,
  testKafka,
  testLogger,
  uniqueName,
  waitFor,
  withAdmin,
} from '@ricochet/testing';

/** A topic that refuses record batches above `maxMessageBytes`. */
async function createTopic(maxMessageBytes?: number): Promise<string> {
  const topic = uniqueName('publisher');
  await withAdmin((admin) =>
    admin.createTopics(
      [
        {
          topic,
          partitions: 1,
          configs:
            maxMessageBytes === undefined ? {} : { 'max.message.bytes': String(maxMessageBytes) },
        },
      ],
      { waitForLeaders: true },
    ),
  );
  return topic;
}

function record(topic: string, value: string | Buffer): OutgoingRecord {
  return { topic, key: null, value: Buffer.from(value), headers: {} };
}

describe('ReliablePublisher (real broker)', function () {
  this.timeout(60_000);
  let publisher: ReliablePublisher;
  let small: string;
  let roomy: string;
  let dlq: string;

  before(async () => {
    [small, roomy, dlq] = await Promise.all([createTopic(10_000), createTopic(), createTopic()]);
    publisher = new ReliablePublisher(testKafka('publisher-test'), testLogger('publisher'));
    await publisher.connect();
  });

  after(async () => {
    await publisher?.disconnect();
    await withAdmin((admin) => admin.deleteTopics([small, roomy, dlq], {}));
  });

  it('still publishes to a partition a partly refused request wrote to, and diverts the refused record', async () => {
    const roomyRecords = await collectTopic(roomy);
    const deadLetters = await collectTopic(dlq);
    try {
      // One request: `roomy` takes its records, `small` refuses its batch. kafkajs then rewinds
      // the sequence numbers of both partitions, though `roomy` was written.
      const diverted = await publisher.publish(
        [record(roomy, 'a'), record(small, Buffer.alloc(20_000)), record(roomy, 'b')],
        (refused) => tooLargeDeadLetter(refused, dlq),
      );
      expect([...diverted]).to.deep.equal([1]);
      await publisher.publish([record(roomy, 'after')]);
      await waitFor('the dead letter and the later record', () =>
        deadLetters.records.length === 1 &&
        roomyRecords.records.some((item) => item.value?.toString() === 'after')
          ? true
          : undefined,
      );
      const values = roomyRecords.records.map((item) => item.value?.toString());
      expect(new Set(values), 'each at least once').to.deep.equal(new Set(['a', 'b', 'after']));
      expect(deadLetters.records[0]!.headers['dead-letter-reason']?.toString()).to.equal(
        'record-too-large',
      );
    } finally {
      await roomyRecords.stop();
      await deadLetters.stop();
    }
  });

  it('rejects with RecordTooLargeError naming the topic when a refused record has nowhere to go', async () => {
    const error = await publisher
      .publish([record(small, Buffer.alloc(20_000))])
      .catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(RecordTooLargeError);
    expect(error).to.include({ topic: small, retriable: false });
    expect((error as Error).message).to.match(
      new RegExp(
        `^${small} refused a record of about \\d+ bytes as larger than its max.message.bytes`,
      ),
    );
    const refusedTwice = await publisher
      .publish([record(small, Buffer.alloc(20_000))], (refused) => ({ ...refused, topic: small }))
      .catch((thrown: unknown) => thrown);
    expect(refusedTwice).to.be.instanceOf(RecordTooLargeError);
    expect((refusedTwice as Error).message).to.include(`raise the max.message.bytes of ${small}`);
  });
});
