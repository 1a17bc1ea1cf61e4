import { expect } from 'chai';
import { NonRetryableError, parseTierLadder, type LogFields, type Logger } from '@ricochet/core';
import { createMainConsumer, type MainConsumer } from '@ricochet/main-consumer';
import {
  createMetrics,
  mainConsumerObserver,
  startServiceHttp,
  type ServiceHttp,
} from '@ricochet/observability';
import { fileURLToPath } from 'node:url';
import {
  closedLocalPort,
  collectTopic,
  committedOffset,
  createTestTopics,
  produceRecords,
  sleep,
  spawnCli,
  testBrokers,
  testConnection,
  testLogger,
  uniqueName,
  waitFor,
  testMaxWaitMilliseconds,
} from '@ricochet/testing';

const handlerModule = fileURLToPath(new URL('../fixtures/order-handler.mjs', import.meta.url));

/** A metric's value on a /metrics page (no labels), or undefined when it has none. */
function sample(page: string, name: string): number | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Records the error lines (with their fields), and passes every line on to `logger`. */
function recordingErrors(logger: Logger): {
  logger: Logger;
  errors: { message: string; fields: LogFields | undefined }[];
} {
  const errors: { message: string; fields: LogFields | undefined }[] = [];
  const recording = (target: Logger): Logger => ({
    error: (message, fields) => {
      errors.push({ message, fields });
      target.error(message, fields);
    },
    warn: (message, fields) => target.warn(message, fields),
    info: (message, fields) => target.info(message, fields),
    debug: (message, fields) => target.debug(message, fields),
    child: (fields) => recording(target.child(fields)),
  });
  return { logger: recording(logger), errors };
}

describe('dead-letter guard: a flood of dead letters pauses the main consumer (real broker)', function () {
  this.timeout(90_000);
  const recordCount = 400;
  const stops: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
    stops.length = 0;
  });

  async function setUp(failing: (index: number) => boolean, guard: string) {
    const topic = uniqueName('orders');
    const dlqTopic = uniqueName('dlq');
    const groupId = uniqueName('group');
    await createTestTopics([topic, dlqTopic], 1);
    await produceRecords(
      Array.from({ length: recordCount }, (_, index) => ({
        topic,
        key: Buffer.from(`k${index % 10}`),
        value: Buffer.from(String(index)),
        headers: {},
      })),
    );
    const state = { failing, succeeded: 0, deadLettered: 0 };
    const metrics = createMetrics({ role: 'main' });
    const observer = mainConsumerObserver(metrics);
    const { logger, errors } = recordingErrors(testLogger('main'));
    const consumer = createMainConsumer({
      ...testConnection(),
      maxWaitMilliseconds: testMaxWaitMilliseconds,
      groupId,
      topics: [topic],
      tiers: parseTierLadder('1s'),
      dlqTopic,
      fromBeginning: true,
      logger,
      maxInFlight: 4,
      commitIntervalMilliseconds: 100,
      deadLetterGuard: guard,
      handler: async (record) => {
        await sleep(1);
        if (state.failing(Number(record.rawValue!.toString()))) {
          throw new NonRetryableError('a bad deploy refuses every record');
        }
        state.succeeded += 1;
      },
      onOutcome: (outcome, record) => {
        observer.onOutcome(outcome, record);
        if (outcome.kind === 'dead-lettered') {
          state.deadLettered += 1;
        }
      },
      onEvent: observer.onEvent,
    });
    observer.watch(consumer);
    const http: ServiceHttp = await startServiceHttp({
      host: '127.0.0.1',
      port: 0,
      metrics,
      readiness: () => consumer.readiness(),
      logger: testLogger('http'),
    });
    stops.push(() => http.close());
    await consumer.start();
    stops.push(() => consumer.stop());
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${http.port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    return { topic, dlqTopic, groupId, state, consumer, errors, get };
  }

  it('trips within the window, stops consuming with the rest uncommitted, is not ready; resumes', async () => {
    const { topic, dlqTopic, groupId, state, consumer, errors, get } = await setUp(
      () => true,
      '0.5,1m,20',
    );
    const readiness = await waitFor('the guard to trip', async () => {
      const ready = await get('/readyz');
      return ready.status === 503 && ready.body.includes('dead-letter-guard') ? ready : undefined;
    });
    expect(JSON.parse(readiness.body).reason).to.match(
      /^dead-letter-guard: \d+ of \d+ records dead-lettered within 1m \(1\.00 >= 0\.5, guard 0\.5,1m,20\); consumption paused; resume with SIGUSR2 or a restart$/,
    );
    // Records in hand finish; then nothing more is taken.
    await sleep(1_500);
    const deadLetteredAtTrip = state.deadLettered;
    await sleep(2_000);
    expect(state.deadLettered, 'consumption stopped').to.equal(deadLetteredAtTrip);
    // The 20 that tripped it and the records running then (max-in-flight 4); none taken after.
    expect(deadLetteredAtTrip).to.be.within(20, 24);
    expect(deadLetteredAtTrip, 'the records after the trip are not dead-lettered').to.be.below(
      recordCount / 2,
    );
    expect(await committedOffset(groupId, topic), 'the done prefix is committed').to.equal(
      String(deadLetteredAtTrip),
    );
    const tripLines = errors.filter(({ message }) =>
      message.startsWith('dead-letter guard tripped'),
    );
    expect(tripLines, 'one error line, with the figures').to.have.length(1);
    expect(tripLines[0]!.fields).to.include({
      guard: '0.5,1m,20',
      ratio: 1,
      count: 'dead-lettered',
    });
    expect(tripLines[0]!.fields?.['counted']).to.equal(20);
    const tripped = (await get('/metrics')).body;
    expect(sample(tripped, 'ricochet_main_dead_letter_guard_tripped')).to.equal(1);
    expect(sample(tripped, 'ricochet_main_dead_letter_guard_trips_total')).to.equal(1);
    expect(sample(tripped, 'ricochet_main_dead_letter_guard_ratio'), 'the window kept').to.equal(1);
    expect((await get('/healthz')).status, 'alive: no restart wanted').to.equal(200);

    // The fix is deployed (here: the handler recovers) and the operator resumes.
    state.failing = () => false;
    expect((consumer as MainConsumer<unknown>).resumeDeadLetterGuard()).to.equal(true);
    await waitFor('the rest handled and committed', async () =>
      (await committedOffset(groupId, topic)) === String(recordCount) ? true : undefined,
    );
    expect(state.succeeded).to.equal(recordCount - deadLetteredAtTrip);
    expect(state.deadLettered).to.equal(deadLetteredAtTrip);
    expect((await get('/readyz')).status).to.equal(200);
    const resumed = (await get('/metrics')).body;
    expect(sample(resumed, 'ricochet_main_dead_letter_guard_tripped')).to.equal(0);
    expect(sample(resumed, 'ricochet_main_dead_letter_guard_trips_total')).to.equal(1);
    expect(consumer.resumeDeadLetterGuard(), 'nothing left to resume').to.equal(false);

    const dlq = await collectTopic(dlqTopic);
    stops.push(() => dlq.stop());
    await waitFor('the dead letters', () =>
      dlq.records.length >= deadLetteredAtTrip ? true : undefined,
    );
    await sleep(500);
    expect(dlq.records.map((record) => record.value?.toString())).to.deep.equal(
      Array.from({ length: deadLetteredAtTrip }, (_, index) => String(index)),
    );
  });

  it('does not trip on a healthy trickle of dead letters below the ratio', async () => {
    const { topic, groupId, state, get } = await setUp((index) => index % 10 === 0, '0.5,1m,20');
    await waitFor('every record handled and committed', async () =>
      (await committedOffset(groupId, topic)) === String(recordCount) ? true : undefined,
    );
    expect(state.deadLettered).to.equal(recordCount / 10);
    expect(state.succeeded).to.equal(recordCount - recordCount / 10);
    expect((await get('/readyz')).status).to.equal(200);
    const page = (await get('/metrics')).body;
    expect(sample(page, 'ricochet_main_dead_letter_guard_tripped')).to.equal(0);
    expect(sample(page, 'ricochet_main_dead_letter_guard_trips_total')).to.equal(0);
    expect(sample(page, 'ricochet_main_dead_letter_guard_ratio')).to.be.closeTo(0.1, 0.01);
  });

  it('ricochet run main: a tripped guard is not ready until SIGUSR2 resumes it', async () => {
    const topic = uniqueName('orders');
    const dlqTopic = uniqueName('dlq');
    const group = uniqueName('group');
    await createTestTopics([topic, dlqTopic], 1);
    // Keys of their own: no record waits behind another's lane, so the trip stops the next one.
    await produceRecords(
      Array.from({ length: 35 }, (_, index) => ({
        topic,
        key: Buffer.from(`k${index}`),
        value: Buffer.from(index < 15 ? `poison-${index}` : `fine-${index}`),
        headers: {},
      })),
    );
    const port = await closedLocalPort();
    const service = spawnCli([
      'run',
      'main',
      '--max-wait-ms',
      String(testMaxWaitMilliseconds),
      '--topic',
      topic,
      '--group',
      group,
      '--handler',
      handlerModule,
      '--dlq',
      dlqTopic,
      '--from-beginning',
      '--max-in-flight',
      '1',
      '--dead-letter-guard',
      '1,1m,10',
      '--http-port',
      String(port),
      '--http-host',
      '127.0.0.1',
      '--brokers',
      testBrokers().join(','),
    ]);
    const readyz = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: await response.text() };
    };
    try {
      const tripped = await waitFor('the guard to trip', async () => {
        const answer = await readyz().catch(() => undefined);
        return answer?.body.includes('dead-letter-guard') === true ? answer : undefined;
      });
      expect(tripped.status).to.equal(503);
      await sleep(1_500);
      const committed = Number(await committedOffset(group, topic));
      expect(committed, 'the 10 that tripped it, and the one running then at most').to.be.within(
        10,
        11,
      );
      expect(service.log()).to.contain('dead-letter guard tripped: consumption paused');

      service.child.kill('SIGUSR2');
      await waitFor('the rest handled and committed', async () =>
        (await committedOffset(group, topic)) === '35' ? true : undefined,
      );
      expect((await readyz()).status).to.equal(200);
      expect(service.log()).to.match(
        /"by":"operator".*"message":"dead-letter guard resumed: consuming again"/,
      );
      expect(await service.stop(), service.log()).to.equal(0);
    } finally {
      service.kill();
    }
  });
});
