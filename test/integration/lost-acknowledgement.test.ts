import { expect } from 'chai';
import { createKafkaClient, ReliablePublisher } from '@ricochet/kafka';
import {
  collectTopic,
  createTestTopics,
  sleep,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';
import type { OutgoingRecord } from '@ricochet/core';
import { outageMilliseconds, useProxiedBroker } from './lost-acknowledgement-fixture.js';

function records(topic: string, keys: readonly string[]): OutgoingRecord[] {
  return keys.map((key) => ({
    topic,
    key: Buffer.from(key),
    value: Buffer.from(key),
    headers: {},
  }));
}

/**
 * Issue 11: a publish written by the broker whose acknowledgement was lost, with the broker then
 * unreachable for longer than the producer's retries. kafkajs rolls the idempotent producer's
 * sequence numbers back; a publisher that kept that producer lost the next publish of the same
 * record count (taken for a duplicate) or failed every later one (out of order).
 */
describe('lost acknowledgement (real broker behind a fault proxy)', function () {
  this.timeout(180_000);
  const broker = useProxiedBroker('lost-acknowledgement');

  for (const [label, nextKeys] of [
    ['the same record count (once taken for a duplicate and dropped)', ['c', 'd']],
    ['another record count (once refused as out of order for good)', ['c', 'd', 'e']],
  ] as const) {
    it(`publishes the next records after a lost acknowledgement: ${label}`, async () => {
      const topic = uniqueName('lost-ack');
      await createTestTopics([topic], 1);
      const publisher = new ReliablePublisher(
        createKafkaClient({ brokers: broker().proxied, logger: testLogger('kafka') }),
        testLogger('publisher'),
      );
      await publisher.connect();
      const written = await collectTopic(topic);
      try {
        const lost = broker().proxy.loseNextProduceAcknowledgement(outageMilliseconds);
        const failed = publisher.publish(records(topic, ['a', 'b'])).then(
          () => 'acknowledged',
          () => 'failed',
        );
        await lost;
        const outageEnds = Date.now() + outageMilliseconds;
        expect(await failed).to.equal('failed');
        expect(publisher.health.failingSince).to.be.a('number');
        await sleep(Math.max(0, outageEnds - Date.now()));
        await publisher.publish(records(topic, nextKeys));
        expect(publisher.health.failingSince).to.equal(undefined);
        await waitFor('the next records to be written', () =>
          nextKeys.every((key) => written.records.some((record) => record.key?.toString() === key))
            ? true
            : undefined,
        );
        // The lost acknowledgement's records were written: the broker wrote them before the loss.
        expect(written.records.map((record) => record.key?.toString())).to.include.members([
          'a',
          'b',
        ]);
      } finally {
        await written.stop();
        await publisher.disconnect();
      }
    });
  }
});
