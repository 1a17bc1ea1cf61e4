import { expect } from 'chai';
import { RetryHeader } from '@ricochet/core';
import { kafkaDrivers, type KafkaDriver } from '@ricochet/kafka';
import { createTestTopics, produceRecords, uniqueName, waitFor } from '@ricochet/testing';
import { startPipelineFixture, type PipelineFixture } from './pipeline-fixture.js';

/**
 * A deployment whose services run on different drivers: the main consumer on one, the delay
 * services on the other. They share nothing but the topics and the header contract, so a record
 * must go round the ladder and into the dead-letter topic exactly as on one driver.
 */
const pairings: readonly { main: KafkaDriver; delay: KafkaDriver }[] = kafkaDrivers.flatMap(
  (main) => kafkaDrivers.filter((delay) => delay !== main).map((delay) => ({ main, delay })),
);

for (const { main, delay } of pairings) {
  describe(`a mixed deployment: main consumer on ${main}, delay services on ${delay} (real broker)`, function () {
    this.timeout(120_000);
    let pipeline: PipelineFixture;

    before(async () => {
      pipeline = await startPipelineFixture({ delayDriver: delay });
    });

    after(async () => {
      await pipeline?.stop();
    });

    it('retries a record k times (k = 0..3) through the tiers and dead-letters it after 4 failures, with its key, value and headers intact', async () => {
      const topic = uniqueName('orders');
      await createTestTopics([topic], 3);
      const failuresPlanned = new Map<string, number>();
      for (let k = 0; k <= 4; k += 1) {
        for (let copy = 0; copy < 2; copy += 1) {
          failuresPlanned.set(`k${k}-${copy}`, k);
        }
      }
      const calls = new Map<string, number>();
      const succeeded = new Set<string>();
      await pipeline.startMain({
        topics: [topic],
        driver: main,
        handler: (record) => {
          const id = record.key?.toString() ?? '';
          const call = (calls.get(id) ?? 0) + 1;
          calls.set(id, call);
          expect(record.tryCount).to.equal(call - 1);
          expect(record.value?.toString()).to.equal(JSON.stringify({ id }));
          expect(record.headers).to.deep.equal({
            'user-header': [Buffer.from(`one-${id}`), Buffer.from(`two-${id}`)],
          });
          if (record.retry !== undefined) {
            expect(Date.now()).to.be.at.least(record.retry.dueAt);
          }
          if (call <= (failuresPlanned.get(id) ?? 0)) {
            throw new Error(`planned failure ${call} of ${id}`);
          }
          succeeded.add(id);
        },
      });
      await produceRecords(
        [...failuresPlanned.keys()].map((id) => ({
          topic,
          key: Buffer.from(id),
          value: Buffer.from(JSON.stringify({ id })),
          headers: { 'user-header': [`one-${id}`, `two-${id}`] },
        })),
      );
      const deadLettered = [...failuresPlanned].filter(([, k]) => k > 3).map(([id]) => id);
      await waitFor(
        'every record handled or dead-lettered',
        () =>
          succeeded.size === failuresPlanned.size - deadLettered.length &&
          pipeline.deadLetters.filter(
            (record) => record.headers[RetryHeader.originalTopic]?.toString() === topic,
          ).length >= deadLettered.length
            ? true
            : undefined,
        { timeoutMilliseconds: 60_000 },
      );
      for (const [id, k] of failuresPlanned) {
        expect(calls.get(id), id).to.equal(k > 3 ? 4 : k + 1);
      }
      const letters = pipeline.deadLetters.filter((record) =>
        deadLettered.includes(record.key?.toString() ?? ''),
      );
      expect(letters.map((record) => record.key?.toString()).sort()).to.deep.equal(
        [...deadLettered].sort(),
      );
      for (const letter of letters) {
        expect(letter.headers[RetryHeader.originalTopic]?.toString()).to.equal(topic);
        expect(letter.headers[RetryHeader.tryCount]?.toString()).to.equal('4');
      }
    });
  });
}
