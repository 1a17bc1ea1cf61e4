// The real services the bad-input suite runs its table through, in this process, on the real
// broker: a main consumer per kind of source, the delay consumer of the one tier, and the
// archiver on SQLite. Every topic is the suite's own (the tier delay is drawn at random), so
// other suites and runs on the same broker neither see nor disturb its records.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  NonRetryableError,
  parseTierLadder,
  readHeaderText,
  type ConsumedRecord,
  type Tier,
} from '@ricochet/core';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { createDelayConsumer } from '@ricochet/delay-consumer';
import { createDlqArchiver } from '@ricochet/dlq-archiver';
import type { KafkaAdmin, ServiceState } from '@ricochet/kafka';
import {
  createMainConsumer,
  type HandlerRecord,
  type MainConsumerOptions,
  type RecordOutcome,
} from '@ricochet/main-consumer';
import {
  closedLocalPort,
  collectTopic,
  createTestTopics,
  testConnection,
  testLogger,
  testRegistryUrl,
  uniqueName,
  waitFor,
  withAdmin,
  type CollectedRecord,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { compileTopologyOptions, createTopology } from '@ricochet/topology';
import { createRegistryDecoder, createValueDescriber } from '@ricochet/value-decoder';
import {
  caseHeader,
  type BadInputCase,
  type CaseContext,
  type Entry,
  type HandlerAction,
} from './bad-input-cases.js';

/** What one service went through while the suite ran. */
export class ServiceWatch {
  /** Group joins: one means it never crashed, restarted or rebalanced. */
  joins = 0;
  refusedCommits = 0;
  /** The service's state; set once the service exists. */
  state: () => ServiceState = () => 'created';

  constructor(readonly name: string) {}

  readonly observe = (event: { readonly type: string }): void => {
    if (event.type === 'assigned') {
      this.joins += 1;
    } else if (event.type === 'commit-failed') {
      this.refusedCommits += 1;
    }
  };
}

export interface BadInputPipeline {
  readonly context: CaseContext;
  readonly cases: readonly BadInputCase[];
  topicOf(entry: Entry): string;
  readonly services: readonly ServiceWatch[];
  readonly deadLetters: readonly CollectedRecord[];
  readonly store: ArchiveStore;
  /** By case name: the try count the handler saw on each call. */
  readonly handlerTries: ReadonlyMap<string, readonly number[]>;
  /** By case name: what the main consumers made of its records. */
  readonly outcomes: ReadonlyMap<string, readonly RecordOutcome[]>;
  stop(): Promise<void>;
}

const sourcePartitions = 2;
/** Small enough that a burst of a few kilobyte records, redelivered as one batch, exceeds it. */
const smallSourceMessageMaxBytes = 100 * 1024;

/** Tiers no suite on this broker uses yet, so that the suite's tier topics are its own. */
async function unusedTiers(count: number): Promise<Tier[]> {
  const taken = new Set(await withAdmin((admin) => admin.listTopics()));
  const tiers: Tier[] = [];
  while (tiers.length < count) {
    const [tier] = parseTierLadder(`${1_001 + Math.floor(Math.random() * 998)}ms`);
    if (!taken.has(tier!.topic)) {
      taken.add(tier!.topic);
      tiers.push(tier!);
    }
  }
  return tiers;
}

export function caseNameOf(record: Pick<ConsumedRecord, 'headers'>): string | undefined {
  return readHeaderText(record.headers, caseHeader);
}

async function effectiveMessageMaxBytes(admin: KafkaAdmin, topic: string): Promise<number> {
  const described = await admin.describeConfigs([
    { type: 'topic', name: topic, configNames: ['max.message.bytes'] },
  ]);
  const value = described[0]?.entries.find((entry) => entry.name === 'max.message.bytes')?.value;
  if (value === undefined || value === null) {
    throw new Error(`the broker did not report max.message.bytes of ${topic}`);
  }
  return Number(value);
}

async function registerKnownSchema(registryUrl: string): Promise<number> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const { id } = await registry.register(
    {
      type: SchemaType.AVRO,
      schema: JSON.stringify({
        type: 'record',
        name: 'BadInput',
        namespace: 'ricochet.test',
        fields: [{ name: 'amount', type: 'long' }],
      }),
    },
    { subject: uniqueName('bad-input-value') },
  );
  return id;
}

interface Topics {
  readonly tier: Tier;
  readonly dlq: string;
  readonly source: string;
  readonly smallSource: string;
  readonly framedSource: string;
  readonly registryDownSource: string;
  readonly noHeadroomTier: Tier;
  readonly noHeadroomTierSource: string;
}

/** The suite's topics: tier, dead-letter topic and sources through the real topology code. */
async function createTopics(): Promise<Topics> {
  const [tier, noHeadroomTier] = await unusedTiers(2);
  const topics: Topics = {
    tier: tier!,
    dlq: uniqueName('bad-input-dlq'),
    source: uniqueName('bad-input-source'),
    smallSource: uniqueName('bad-input-small-source'),
    framedSource: uniqueName('bad-input-framed'),
    registryDownSource: uniqueName('bad-input-registry-down'),
    noHeadroomTier: noHeadroomTier!,
    noHeadroomTierSource: uniqueName('bad-input-no-headroom'),
  };
  await withAdmin(async (admin) => {
    await createTopology(
      admin,
      compileTopologyOptions({
        tiers: [topics.tier],
        deadLetterTopic: topics.dlq,
        sourceTopics: [topics.source, topics.framedSource, topics.registryDownSource],
        partitions: sourcePartitions,
        replicationFactor: 1,
      }),
    );
    await admin.createTopics(
      [
        {
          topic: topics.smallSource,
          partitions: 1,
          configs: { 'max.message.bytes': String(smallSourceMessageMaxBytes) },
        },
      ],
      { waitForLeaders: true },
    );
  });
  // A tier made by hand, without the topology's headroom.
  await createTestTopics([topics.noHeadroomTier.topic, topics.noHeadroomTierSource], 1);
  return topics;
}

async function deleteTopics(topics: Topics): Promise<void> {
  await withAdmin((admin) =>
    admin.deleteTopics(
      [
        topics.tier.topic,
        topics.dlq,
        topics.source,
        topics.smallSource,
        topics.framedSource,
        topics.registryDownSource,
        topics.noHeadroomTier.topic,
        topics.noHeadroomTierSource,
      ],
      {},
    ),
  );
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

/** Creates the topics, starts every service and waits until each owns its partitions. */
export async function startBadInputPipeline(
  buildCases: (context: CaseContext) => BadInputCase[],
): Promise<BadInputPipeline> {
  const topics = await createTopics();
  const registryUrl = testRegistryUrl();
  const groupId = uniqueName('bad-input-main');
  const context: CaseContext = {
    now: Date.now(),
    tierTopic: topics.tier.topic,
    tierDelayMilliseconds: topics.tier.delayMilliseconds,
    dlqTopic: topics.dlq,
    sourceTopic: topics.source,
    sourcePartitions,
    smallSourceTopic: topics.smallSource,
    groupId,
    sourceMessageMaxBytes: await withAdmin((admin) =>
      effectiveMessageMaxBytes(admin, topics.source),
    ),
    knownSchemaId: await registerKnownSchema(registryUrl),
  };
  const cases = buildCases(context);
  const actions = new Map<string, HandlerAction>(cases.map((item) => [item.name, item.handler]));
  const handlerTries = new Map<string, number[]>();
  const outcomes = new Map<string, RecordOutcome[]>();

  const handler = (record: HandlerRecord<unknown>): void => {
    const name = caseNameOf(record) ?? '(no case header)';
    pushTo(handlerTries, name, record.tryCount);
    const action = actions.get(name) ?? 'fail';
    if (action === 'reject') {
      throw new NonRetryableError(`rejected on purpose: ${name}`);
    }
    if (action === 'fail') {
      throw new Error(`failed on purpose, try ${record.tryCount}: ${name}`);
    }
  };

  const services: ServiceWatch[] = [];
  const watch = (name: string): ServiceWatch => {
    const watched = new ServiceWatch(name);
    services.push(watched);
    return watched;
  };

  const mainConsumer = <TValue>(
    name: string,
    options: Pick<MainConsumerOptions<TValue>, 'topics' | 'groupId'> &
      Partial<MainConsumerOptions<TValue>>,
  ) => {
    const watched = watch(name);
    const consumer = createMainConsumer<TValue>({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      tiers: [topics.tier],
      dlqTopic: topics.dlq,
      logger: testLogger(name),
      fromBeginning: true,
      handler,
      onEvent: watched.observe,
      onOutcome: (outcome, record) =>
        pushTo(outcomes, caseNameOf(record) ?? '(no case header)', outcome),
      ...options,
    });
    watched.state = () => consumer.state;
    return consumer;
  };

  const storeUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'ricochet-bad-input-')), 'dlq.db')}`;
  const store = await openArchiveStore(storeUrl, { logger: testLogger('archive') });
  const describer = createValueDescriber({ registryUrl, logger: testLogger('describer') });
  const archiverWatch = watch('dlq archiver');
  const archiver = createDlqArchiver({
    ...testConnection(),
    maxWaitMilliseconds: testMaxWaitMilliseconds,
    dlqTopic: topics.dlq,
    groupId: uniqueName('bad-input-archiver'),
    store,
    logger: testLogger('dlq'),
    // As `ricochet run dlq` does: framed values are described through the registry.
    searchableText: async (value) => {
      const description = await describer.describe(value);
      return ['binary', 'null', 'empty'].includes(description.format) ? null : description.text;
    },
    onEvent: archiverWatch.observe,
  });
  archiverWatch.state = () => archiver.state;
  const delayWatch = watch(`delay consumer of ${topics.tier.topic}`);
  const delay = createDelayConsumer({
    ...testConnection(),
    tier: topics.tier.topic,
    groupId: uniqueName('bad-input-delay'),
    dlqTopic: topics.dlq,
    logger: testLogger('delay'),
    onEvent: delayWatch.observe,
  });
  delayWatch.state = () => delay.state;

  const consumers = [
    mainConsumer('main consumer', { groupId, topics: [topics.source, topics.smallSource] }),
    mainConsumer('main consumer with a registry decoder', {
      groupId: uniqueName('bad-input-framed'),
      topics: [topics.framedSource],
      decode: createRegistryDecoder({ registryUrl }),
    }),
    mainConsumer('main consumer with an unreachable registry', {
      groupId: uniqueName('bad-input-registry-down'),
      topics: [topics.registryDownSource],
      decode: createRegistryDecoder({
        registryUrl: `http://127.0.0.1:${await closedLocalPort()}/apis/ccompat/v7`,
      }),
    }),
    mainConsumer('main consumer whose tier has no headroom', {
      groupId: uniqueName('bad-input-no-headroom'),
      topics: [topics.noHeadroomTierSource],
      tiers: [topics.noHeadroomTier],
    }),
    delay,
    archiver,
  ];
  const deadLetters = await collectTopic(topics.dlq);
  await Promise.all(consumers.map((consumer) => consumer.start()));
  await waitFor(
    'every service to own its partitions',
    () => (consumers.every((consumer) => consumer.readiness().ready) ? true : undefined),
    { timeoutMilliseconds: 60_000 },
  );

  const entryTopics: Record<Entry, string> = {
    tier: topics.tier.topic,
    source: topics.source,
    'framed-source': topics.framedSource,
    'registry-down-source': topics.registryDownSource,
    'no-headroom-tier-source': topics.noHeadroomTierSource,
  };
  return {
    context,
    cases,
    topicOf: (entry) => entryTopics[entry],
    services,
    deadLetters: deadLetters.records,
    store,
    handlerTries,
    outcomes,
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await deadLetters.stop();
      await store.close();
      await deleteTopics(topics);
    },
  };
}
