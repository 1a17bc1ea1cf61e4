// A running set of delay consumers (one per tier) and a dead-letter collector, shared by the
// pipeline tests. Tier topics are shared by design, so the fixture recreates them empty.
import { parseTierLadder, redeliveryTopic, type TierLadder } from '@ricochet/core';
import type { KafkaDriver } from '@ricochet/kafka';
import {
  createDelayConsumer,
  type DelayConsumer,
  type DelayConsumerEvent,
} from '@ricochet/delay-consumer';
import {
  createMainConsumer,
  type MainConsumerOptions,
  type MainConsumer,
} from '@ricochet/main-consumer';
import {
  collectTopic,
  createTestTopics,
  sleep,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

export const testLadderText = '1s,2s,3s';

export interface PipelineFixture {
  readonly ladder: TierLadder;
  readonly dlqTopic: string;
  readonly deadLetters: CollectedRecord[];
  readonly delayEvents: DelayConsumerEvent[];
  startMain<TValue = Buffer | null>(
    options: Pick<MainConsumerOptions<TValue>, 'handler' | 'topics'> &
      Partial<MainConsumerOptions<TValue>>,
  ): Promise<MainConsumer<TValue>>;
  stop(): Promise<void>;
}

/** Deletes and recreates topics; KRaft may briefly refuse the name while deletion completes. */
/** Deletes those of `topics` that exist: fixed-name tier topics start each test empty. */
export async function deleteTopicsIfPresent(topics: readonly string[]): Promise<void> {
  await withAdmin(async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) {
      await admin.deleteTopics(present, {});
    }
  });
}

export async function recreateTopics(topics: readonly string[], partitions: number): Promise<void> {
  await deleteTopicsIfPresent(topics);
  await waitFor(
    `topics ${topics.join(', ')} to be recreated`,
    async () => {
      try {
        await createTestTopics(topics, partitions);
        return true;
      } catch {
        await sleep(200);
        return undefined;
      }
    },
    { timeoutMilliseconds: 30_000 },
  );
}

/** `delayDriver`: the delay services' Kafka driver when it is not the tests' (a mixed deployment). */
export async function startPipelineFixture(
  options: { readonly delayDriver?: KafkaDriver } = {},
): Promise<PipelineFixture> {
  const ladder = parseTierLadder(testLadderText);
  const dlqTopic = uniqueName('dlq');
  await recreateTopics(
    ladder.map((tier) => tier.topic),
    3,
  );
  await createTestTopics([dlqTopic], 1);
  const delayEvents: DelayConsumerEvent[] = [];
  const delayConsumers: DelayConsumer[] = ladder.map((tier) =>
    createDelayConsumer({
      ...testConnection(),
      ...(options.delayDriver === undefined ? {} : { driver: options.delayDriver }),
      tier: tier.topic,
      groupId: uniqueName(`delay-${tier.topic}`),
      dlqTopic,
      logger: testLogger('delay'),
      onEvent: (event) => delayEvents.push(event),
    }),
  );
  await Promise.all(delayConsumers.map((consumer) => consumer.start()));
  const collector = await collectTopic(dlqTopic);
  const mainConsumers: MainConsumer<unknown>[] = [];

  return {
    ladder,
    dlqTopic,
    deadLetters: collector.records,
    delayEvents,
    async startMain(options) {
      const groupId = options.groupId ?? uniqueName('group');
      if (options.redelivery === 'group') {
        await createTestTopics([redeliveryTopic(groupId)], 3);
      }
      const consumer = createMainConsumer({
        ...testConnection(),
        maxWaitMilliseconds: testMaxWaitMilliseconds,
        groupId,
        tiers: ladder,
        dlqTopic,
        logger: testLogger('main'),
        fromBeginning: true,
        ...options,
      });
      await consumer.start();
      mainConsumers.push(consumer as MainConsumer<unknown>);
      return consumer;
    },
    async stop() {
      await Promise.all(mainConsumers.map((consumer) => consumer.stop()));
      await Promise.all(delayConsumers.map((consumer) => consumer.stop()));
      await collector.stop();
    },
  };
}
