import { createKafkaClient } from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import { benchLogger } from '../bench-logger.js';
import { ThroughputMeter, type MeteredThroughput } from '../statistics.js';
import type { ConsumeRequest } from '../worker-protocol.js';
import { benchHandler } from './bench-handler.js';

/**
 * A plain kafkajs consumer of the request's topic, from the beginning, with the client and
 * consumer settings Ricochet's main consumer uses: what both baselines start from.
 */
async function subscribedConsumer(request: ConsumeRequest, loggerName: string) {
  const kafka = createKafkaClient({
    brokers: request.brokers,
    clientId: `kafkajs-${request.groupId}`,
    logger: benchLogger(loggerName),
  });
  const consumer = kafkajsClientOf(kafka).consumer({
    groupId: request.groupId,
    sessionTimeout: 30_000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [request.topic], fromBeginning: true });
  return consumer;
}

/** kafkajs's `partitionsConsumedConcurrently` when the request sets one (kafkajs's default, 1, unset). */
function concurrencyOf(request: ConsumeRequest): { partitionsConsumedConcurrently?: number } {
  return request.concurrency === undefined
    ? {}
    : { partitionsConsumedConcurrently: request.concurrency };
}

/**
 * The baseline: a plain kafkajs consumer with the client and consumer settings Ricochet's main
 * consumer uses, `eachBatch` as kafkajs documents it, and a commit after each batch;
 * `partitionsConsumedConcurrently` is the request's concurrency (kafkajs's default, 1, unset).
 */
export async function consumeWithKafkajs(request: ConsumeRequest): Promise<MeteredThroughput> {
  const meter = new ThroughputMeter(request.records);
  // The same handler as Ricochet's side, awaited as kafkajs's eachBatch example awaits its work.
  const handle = benchHandler(meter, request.handlerDelayMilliseconds);
  const consumer = await subscribedConsumer(request, 'kafkajs-consume');
  await consumer.run({
    ...concurrencyOf(request),
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      isRunning,
      isStale,
    }) => {
      let handled: string | undefined;
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) {
          break;
        }
        await handle();
        resolveOffset(message.offset);
        handled = message.offset;
        await heartbeat();
      }
      if (handled !== undefined) {
        // With autoCommit off, kafkajs commits only offsets it is given.
        const offset = (BigInt(handled) + 1n).toString();
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
        });
      }
    },
  });
  await meter.done;
  await consumer.disconnect();
  return meter.result();
}

/**
 * The io-bound baseline: a plain kafkajs consumer as its README starts one, `eachMessage` with
 * kafkajs's own commits (autocommit), `partitionsConsumedConcurrently` the request's concurrency.
 * Within a partition kafkajs hands over one message at a time, awaiting each.
 */
export async function consumeWithKafkajsEachMessage(
  request: ConsumeRequest,
): Promise<MeteredThroughput> {
  const meter = new ThroughputMeter(request.records);
  const handle = benchHandler(meter, request.handlerDelayMilliseconds);
  const consumer = await subscribedConsumer(request, 'kafkajs-each-message');
  await consumer.run({
    ...concurrencyOf(request),
    eachMessage: async () => {
      await handle();
    },
  });
  await meter.done;
  await consumer.disconnect();
  return meter.result();
}
