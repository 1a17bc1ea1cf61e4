import { createMainConsumer } from '@ricochet/main-consumer';
import { benchLogger } from '../bench-logger.js';
import { ThroughputMeter, type MeteredThroughput } from '../statistics.js';
import type { ConsumeRequest } from '../worker-protocol.js';
import { benchHandler } from './bench-handler.js';

/**
 * Ricochet's main consumer on the request's driver, with the bench's handler (a no-op, or an
 * await of the request's delay), until every record is handled.
 */
export async function consumeWithRicochet(request: ConsumeRequest): Promise<MeteredThroughput> {
  const meter = new ThroughputMeter(request.records);
  const consumer = createMainConsumer({
    brokers: request.brokers,
    driver: request.driver,
    groupId: request.groupId,
    topics: [request.topic],
    fromBeginning: true,
    logger: benchLogger('ricochet-consume'),
    handler: benchHandler(meter, request.handlerDelayMilliseconds),
    ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
    ...(request.ordering === undefined ? {} : { ordering: request.ordering }),
    ...(request.maxInFlight === undefined ? {} : { maxInFlight: request.maxInFlight }),
  });
  await consumer.start();
  await meter.done;
  await consumer.stop();
  return meter.result();
}
