import { kafkaDrivers, type KafkaDriver } from '@ricochet/kafka';
import { retryLadderCase } from './ladder-case.js';
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

    it('retries a record that fails k times (k = 0..3) through the tiers until it succeeds, and dead-letters it after 4 failures with the whole contract, never early', async () => {
      await retryLadderCase(pipeline, { redelivery: 'source', driver: main });
    });
  });
}
