import { expect } from 'chai';
import type { Consumer } from 'kafkajs';
import {
  createReliableProducer,
  createServiceConsumer,
  ServiceLifecycle,
  ServiceStartError,
} from '@ricochet/kafka';
import { kafkajsClientOf } from '@ricochet/kafka/kafkajs';
import {
  createTestTopics,
  produceRecords,
  sleep,
  testKafka,
  testLogger,
  uniqueName,
  waitFor,
} from '@ricochet/testing';

/** Ricochet's admin port does not describe groups: asked of kafkajs, as an outside party. */
async function groupMemberCount(group: string): Promise<number | undefined> {
  const admin = kafkajsClientOf(testKafka()).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]?.members.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * A lifecycle of group `group` whose consumer has no retries (a failing batch crashes it, and
 * kafkajs restarts it about 300 ms on), noting when it joined and when it first crashed.
 */
function watchedLifecycle(group: string): {
  lifecycle: ServiceLifecycle;
  joins: number[];
  crashedAt: () => number | undefined;
} {
  const consumer = createServiceConsumer(testKafka(), {
    groupId: group,
    sessionTimeoutMilliseconds: 6_000,
    retries: 0,
  });
  const joins: number[] = [];
  let crashedAt: number | undefined;
  const lifecycle = new ServiceLifecycle(
    'lifecycle test',
    testLogger('lifecycle'),
    { consumer, helpers: [] },
    {
      onEvent: (event) => {
        if (event.type === 'assigned') {
          joins.push(Date.now());
        }
      },
      onCrash: () => (crashedAt ??= Date.now()),
    },
  );
  return { lifecycle, joins, crashedAt: () => crashedAt };
}

describe('service lifecycle (real broker)', function () {
  this.timeout(60_000);
  let other: Consumer | undefined;

  afterEach(async () => {
    await other?.disconnect();
  });

  it('fails its start with the failure of a helper, disconnecting a helper not yet connected', async () => {
    // The librdkafka producer refused to disconnect before it had connected ("Producer not
    // connected"), and that refusal took the place of the start's own failure.
    const refusal = new Error('the first helper cannot connect');
    const lifecycle = new ServiceLifecycle('lifecycle test', testLogger('lifecycle'), {
      consumer: createServiceConsumer(testKafka(), {
        groupId: uniqueName('lifecycle'),
        sessionTimeoutMilliseconds: 6_000,
      }),
      helpers: [
        { connect: () => Promise.reject(refusal), disconnect: () => Promise.resolve() },
        createReliableProducer(testKafka()),
      ],
    });
    const failure = await lifecycle
      .start({ topics: [uniqueName('lifecycle')], fromBeginning: true, eachBatch: async () => {} })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).to.be.instanceOf(ServiceStartError);
    expect((failure as ServiceStartError).cause).to.equal(refusal);
  });

  it('stays stopped when stopped while kafkajs is restarting its crashed consumer', async () => {
    const topic = uniqueName('lifecycle');
    const group = uniqueName('lifecycle');
    await createTestTopics([topic], 2);
    // A second member that notices a rebalance only at its next heartbeat, 5 s apart: the
    // restarted consumer's join waits that long for it, and the stop lands inside that wait.
    other = kafkajsClientOf(testKafka()).consumer({
      groupId: group,
      sessionTimeout: 20_000,
      heartbeatInterval: 5_000,
    });
    const otherJoined = new Promise((resolve) => other?.on(other.events.GROUP_JOIN, resolve));
    await other.connect();
    await other.subscribe({ topic, fromBeginning: true });
    await other.run({ eachBatch: async () => {} });
    await otherJoined;

    const { lifecycle, joins, crashedAt } = watchedLifecycle(group);
    let failed = false;
    await lifecycle.start({
      topics: [topic],
      fromBeginning: true,
      eachBatch: async () => {
        if (!failed) {
          failed = true;
          throw new Error(
            'the first batch fails, so that kafkajs crashes and restarts the consumer',
          );
        }
      },
    });
    await produceRecords(
      [0, 1].map((partition) => ({
        topic,
        partition,
        key: null,
        value: Buffer.from('x'),
        headers: {},
      })),
    );
    const crashed = await waitFor('the consumer to crash', crashedAt);
    // The restart begins about 300 ms after the crash, then waits in the group join.
    await sleep(crashed + 1_500 - Date.now());
    await lifecycle.stop();
    const stoppedAt = Date.now();
    expect(lifecycle.state).to.equal('stopped');
    // The stopped consumer's member expires with its session; one restarted behind the stop
    // would stay in the group for good.
    await waitFor(
      'the group to hold only the other member',
      async () => {
        return (await groupMemberCount(group)) === 1 ? true : undefined;
      },
      { timeoutMilliseconds: 30_000 },
    );
    expect(
      joins.filter((at) => at > stoppedAt),
      'group joins after the stop',
    ).to.deep.equal([]);
  });

  it('does not let kafkajs restart a consumer that crashes while the stop drains the work under way', async () => {
    const topic = uniqueName('lifecycle-drain');
    const group = uniqueName('lifecycle-drain');
    await createTestTopics([topic], 1);
    const { lifecycle, joins, crashedAt } = watchedLifecycle(group);
    let failing = false;
    await lifecycle.start({
      topics: [topic],
      fromBeginning: true,
      eachBatch: async () => {
        if (failing) {
          throw new Error('a batch fails while the service drains, so that kafkajs crashes it');
        }
      },
    });
    await waitFor('the consumer to join its group', () => joins[0]);
    const stopping = Date.now();
    await lifecycle.stop(async () => {
      // The crash lands while the stop still waits for its work (the delay service's
      // redeliveries under way): long enough for a restart to have joined again.
      failing = true;
      await produceRecords([
        { topic, partition: 0, key: null, value: Buffer.from('x'), headers: {} },
      ]);
      await waitFor('the consumer to crash', crashedAt);
      await sleep(3_000);
    });
    expect(lifecycle.state).to.equal('stopped');
    expect(
      joins.filter((at) => at > stopping),
      'group joins after the stop began',
    ).to.deep.equal([]);
    await waitFor(
      'the group to be empty',
      async () => ((await groupMemberCount(group)) ?? 0) === 0 || undefined,
      { timeoutMilliseconds: 30_000 },
    );
  });
});
