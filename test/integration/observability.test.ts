import { expect } from 'chai';
import { parseTierLadder } from '@ricochet/core';
import { createDelayConsumer, type DelayConsumer } from '@ricochet/delay-consumer';
import { createMainConsumer, type MainConsumer } from '@ricochet/main-consumer';
import {
  createMetrics,
  delayConsumerObserver,
  mainConsumerObserver,
  startServiceHttp,
  type ServiceHttp,
} from '@ricochet/observability';
import {
  createTestTopics,
  produceRecords,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';
import { recreateTopics } from './pipeline-fixture.js';

async function get(http: ServiceHttp, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${http.port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The sum of a metric's samples on a /metrics page, or undefined when it has none. */
function total(page: string, name: string): number | undefined {
  const samples = page
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
  return samples.length === 0 ? undefined : samples.reduce((sum, value) => sum + value, 0);
}

describe('observability: /readyz and /metrics of a main and a delay consumer (real broker)', function () {
  this.timeout(90_000);
  // Its own tier, so that the pipeline tests' tiers (recreated by their fixture) are left alone.
  const ladder = parseTierLadder('1200ms');
  const tier = ladder[0]!.topic;
  const stops: Array<() => Promise<void>> = [];

  after(async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
  });

  async function serve(
    metrics: ReturnType<typeof createMetrics>,
    service: MainConsumer<unknown> | DelayConsumer,
  ): Promise<ServiceHttp> {
    const http = await startServiceHttp({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: () => service.readiness(),
      logger: testLogger('http'),
    });
    stops.push(() => http.close());
    return http;
  }

  it('is not ready before the group join and ready after; counts retried traffic', async () => {
    const topic = uniqueName('orders');
    const dlqTopic = uniqueName('dlq');
    await recreateTopics([tier], 2);
    await createTestTopics([topic], 2);
    await createTestTopics([dlqTopic], 1);

    const delayMetrics = createMetrics({ role: 'delay' });
    const delayObserver = delayConsumerObserver(delayMetrics, tier);
    const delay = createDelayConsumer({
      ...testConnection(),
      tier,
      groupId: uniqueName(`delay-${tier}`),
      dlqTopic,
      logger: testLogger('delay'),
      onEvent: delayObserver.onEvent,
    });
    delayObserver.watch(delay);
    const delayHttp = await serve(delayMetrics, delay);

    const failedOnce = new Set<string>();
    const succeeded = new Set<string>();
    const mainMetrics = createMetrics({ role: 'main' });
    const mainObserver = mainConsumerObserver(mainMetrics);
    const main = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId: uniqueName('group'),
      topics: [topic],
      tiers: ladder,
      dlqTopic,
      fromBeginning: true,
      logger: testLogger('main'),
      handler: (record) => {
        const id = record.key!.toString();
        if (id.startsWith('flaky') && !failedOnce.has(id)) {
          failedOnce.add(id);
          throw new TypeError(`${id} fails once`);
        }
        succeeded.add(id);
      },
      onOutcome: mainObserver.onOutcome,
      onEvent: mainObserver.onEvent,
    });
    mainObserver.watch(main);
    const mainHttp = await serve(mainMetrics, main as MainConsumer<unknown>);

    const before = await get(mainHttp, '/readyz');
    expect(before.status).to.equal(503);
    expect(JSON.parse(before.body)).to.deep.equal({ ready: false, reason: 'not started' });
    expect((await get(delayHttp, '/readyz')).status).to.equal(503);
    expect(await get(mainHttp, '/healthz')).to.deep.equal({ status: 200, body: 'ok' });

    await delay.start();
    stops.push(() => delay.stop());
    await main.start();
    stops.push(() => main.stop());
    expect(await get(mainHttp, '/readyz')).to.deep.equal({
      status: 200,
      body: JSON.stringify({ ready: true }),
    });
    expect((await get(delayHttp, '/readyz')).status).to.equal(200);

    const ids = [...Array.from({ length: 6 }, (_, i) => `steady-${i}`)].concat(
      Array.from({ length: 4 }, (_, i) => `flaky-${i}`),
    );
    await produceRecords(
      ids.map((id) => ({ topic, key: Buffer.from(id), value: Buffer.from(id), headers: {} })),
    );
    await waitFor('every record to succeed, the flaky ones after one retry', () =>
      succeeded.size === ids.length ? true : undefined,
    );

    const mainPage = (await get(mainHttp, '/metrics')).body;
    for (const name of [
      'ricochet_records_consumed_total',
      'ricochet_records_succeeded_total',
      'ricochet_records_failed_total',
      'ricochet_records_sent_to_tier_total',
      'ricochet_handler_duration_seconds_count',
      'ricochet_rebalances_total',
    ]) {
      expect(total(mainPage, name), name).to.be.above(0);
    }
    expect(total(mainPage, 'ricochet_records_succeeded_total')).to.equal(ids.length);
    expect(mainPage).to.contain(
      `ricochet_records_failed_total{topic="${topic}",error_class="TypeError"} 4`,
    );
    expect(mainPage).to.contain(`ricochet_records_sent_to_tier_total{tier="${tier}"} 4`);
    expect(mainPage).to.match(
      new RegExp(
        `^ricochet_consumer_lag\\{role="main",topic="${topic}",partition="[01]"\\} \\d+$`,
        'm',
      ),
    );
    expect(mainPage).to.match(/^ricochet_process_cpu_user_seconds_total \d/m);
    // Read at scrape time from the consumer: nothing is in hand once every record succeeded.
    expect(mainPage).to.match(/^ricochet_main_in_flight 0$/m);
    expect(mainPage).to.match(
      new RegExp(`^ricochet_main_partition_gap\\{topic="${topic}",partition="[01]"\\} 0$`, 'm'),
    );

    const delayPage = (await get(delayHttp, '/metrics')).body;
    for (const name of [
      'ricochet_records_consumed_total',
      'ricochet_records_redelivered_total',
      'ricochet_redelivery_lateness_seconds_count',
      'ricochet_rebalances_total',
    ]) {
      expect(total(delayPage, name), name).to.be.above(0);
    }
    expect(delayPage).to.contain(
      `ricochet_records_redelivered_total{tier="${tier}",topic="${topic}"} 4`,
    );
    expect(delayPage).to.match(new RegExp(`^ricochet_records_held\\{tier="${tier}"\\} \\d+$`, 'm'));
    expect(delayPage).to.match(
      new RegExp(`^ricochet_consumer_lag\\{role="delay",topic="${tier}"`, 'm'),
    );
  });

  it('is not ready when it joined the group but was assigned no partition', async () => {
    const topic = uniqueName('single');
    await createTestTopics([topic], 1);
    const groupId = uniqueName('crowded');
    const start = async (): Promise<MainConsumer<Buffer | null>> => {
      const consumer = createMainConsumer({
        ...testConnection(),
        maxWaitMilliseconds: testMaxWaitMilliseconds,
        groupId,
        topics: [topic],
        tiers: ladder,
        logger: testLogger('main'),
        handler: () => {},
      });
      await consumer.start();
      stops.push(() => consumer.stop());
      return consumer;
    };
    const first = await start();
    const second = await start();
    const readiness = await waitFor('the group to settle on one owner of the partition', () => {
      const both = [first.readiness(), second.readiness()];
      return both.filter((state) => state.ready).length === 1 ? both : undefined;
    });
    expect(readiness.find((state) => !state.ready)).to.deep.equal({
      ready: false,
      reason: 'in the consumer group but assigned no partitions (more instances than partitions?)',
    });
  });
});
