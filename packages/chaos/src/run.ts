import { createWriteStream, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArchiveStore, type ArchiveStore } from '@ricochet/archive';
import { defaultDeadLetterTopic, type Logger } from '@ricochet/core';
import { createAdmin, createKafkaClient, type KafkaAdmin } from '@ricochet/kafka';
import { createLogger } from '@ricochet/logger';
import { outageBeyondProducerRetriesMilliseconds } from '@ricochet/testing';
import { readArchive } from './archive-reader.js';
import { countDeadLetters } from './dead-letter-count.js';
import { driveChaos } from './chaos-driver.js';
import { scheduleChaos } from './chaos-schedule.js';
import { clusterMinInsyncReplicas, clusterReplicationFactor } from './cluster.js';
import { driveClusterFaults, type FaultRecord } from './cluster-driver.js';
import { scheduleClusterFaults } from './cluster-schedule.js';
import { ChaosInfrastructureError } from './errors.js';
import { planFleet, retireGraceMilliseconds } from './fleet.js';
import { Ledger } from './ledger.js';
import type { ChaosOptions } from './options.js';
import { requireFreePorts } from './ports.js';
import { TrafficProducer } from './producer.js';
import { seededRandom } from './random.js';
import { planRecords } from './record-plan.js';
import { waitUntilResolved } from './resolution.js';
import { runKafka } from './run-kafka.js';
import { waitUntilHealthy } from './service-health.js';
import type { ChaosReport } from './summary.js';
import { roles, Supervisor, type Role } from './supervisor.js';
import { sleep, throwIfInterrupted } from './timing.js';
import { createTopology } from './topology.js';
import { judge } from './verdict.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** Built code, whether this module runs from src/ (tests) or dist/: services run what ships. */
const cliBin = join(repositoryRoot, 'packages', 'cli', 'dist', 'bin.js');
const handlerModule = join(packageRoot, 'dist', 'handler.js');
const scripts = {
  kafka: join(repositoryRoot, 'scripts', 'kafka'),
  cluster: join(repositoryRoot, 'scripts', 'kafka-cluster'),
};

const sourceTopic = 'chaos-orders';
const group = 'chaos';
const dlqTopic = defaultDeadLetterTopic;
/** Chaos starts once the traffic has run this long, so that every tier has work in flight. */
const warmUpMilliseconds = 5_000;
/** How long every instance may take to be running and ready again at the end. */
const finalHealthWaitMilliseconds = 45_000;

export { repositoryRoot };

function runDirectoryName(): string {
  return `run-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * The whole run: a fresh broker (or three-node cluster) of its own, the topology, the services, traffic and chaos, the
 * wait until every record is resolved, a clean stop, and the verdict. Everything started is
 * stopped on the way out, whatever happens (the process 'exit' hook covers a crash).
 */
export async function runChaos(
  options: ChaosOptions,
  progress: Logger,
  signal: AbortSignal,
): Promise<ChaosReport> {
  const startedAt = Date.now();
  const runDirectory = join(options.stateDir, runDirectoryName());
  mkdirSync(runDirectory, { recursive: true });
  const runnerLog = createWriteStream(join(runDirectory, 'runner.log'), { flags: 'a' });
  const clientLogger = createLogger({
    service: 'chaos',
    level: 'info',
    format: 'json',
    stream: runnerLog,
  });
  const kafka = runKafka(options, scripts);
  const supervisor = new Supervisor({
    cliBin,
    runDirectory,
    logger: progress,
    initialRestartDelayMilliseconds: 1_000,
    maxRestartDelayMilliseconds: 10_000,
  });
  const killEverything = (): void => {
    supervisor.killAllSynchronously();
    kafka.stopSynchronously();
  };
  process.once('exit', killEverything);
  const ledger = Ledger.create(join(runDirectory, 'ledger.db'));
  let archive: ArchiveStore | undefined;
  let producer: TrafficProducer | undefined;
  let clusterAdmin: KafkaAdmin | undefined;
  // Each step runs whatever failed before it: a failing step is reported, and the next goes on.
  const cleanUp = async (step: string, work: () => Promise<void> | void): Promise<void> => {
    try {
      await work();
    } catch (error) {
      progress.error(`cleaning up: ${step} failed`, { error });
    }
  };
  try {
    progress.info(`run directory ${relative(process.cwd(), runDirectory)}`);
    const plans = planRecords(
      options.records,
      {
        shares: options.shares,
        maxFlakyFailures: Math.min(3, options.ladder.length),
        keys: options.keys,
        maxHandlerLatencyMilliseconds: options.maxHandlerLatencyMs,
      },
      seededRandom(options.seed),
    );
    const fleet = planFleet(options, {
      brokers: kafka.fleetBrokers,
      sourceTopic,
      group,
      dlqTopic,
      handlerModule,
      ledgerPath: join(runDirectory, 'ledger.db'),
      archiveUrl: `sqlite:${join(runDirectory, 'archive.db')}`,
    });
    progress.info(
      `starting a fresh ${kafka.cluster === undefined ? 'broker' : 'cluster'} at ${kafka.brokers.join(',')}`,
    );
    // First: it also stops the broker of an earlier run that did not get to stop it.
    await kafka.reset();
    await requireFreePorts([
      ...kafka.ports,
      ...[...fleet.initial, ...fleet.scaleUp].map((spec) => spec.httpPort),
    ]);
    await kafka.start();
    await createTopology({
      cliBin,
      brokers: kafka.brokers,
      ladder: options.ladder,
      dlqTopic,
      sourceTopic,
      partitions: options.partitions,
      ...(kafka.cluster === undefined
        ? { replicationFactor: 1, minInsyncReplicas: undefined }
        : {
            replicationFactor: clusterReplicationFactor,
            minInsyncReplicas: clusterMinInsyncReplicas,
          }),
      groups: options.ordering === 'key-strict' || options.redelivery === 'group' ? [group] : [],
    });
    progress.info(`starting ${fleet.initial.length} service instances`);
    fleet.initial.forEach((spec) => supervisor.launch(spec));
    const notReady = await waitUntilHealthy(supervisor, options.startTimeoutMs, signal);
    if (notReady.length > 0) {
      throw new ChaosInfrastructureError(
        `not ready within ${options.startTimeoutMs} ms: ${notReady.join(', ')}; see ${runDirectory}`,
      );
    }
    archive = await openArchiveStore(`sqlite:${join(runDirectory, 'archive.db')}`, {
      logger: clientLogger,
    });

    producer = new TrafficProducer({
      brokers: kafka.brokers,
      topic: sourceTopic,
      plans,
      rate: options.rate,
      ledger,
      logger: clientLogger,
      signal,
    });
    await producer.connect();
    const trafficMilliseconds = (options.records / options.rate) * 1_000;
    const ladderMilliseconds = options.ladder.reduce(
      (sum, tier) => sum + tier.delayMilliseconds,
      0,
    );
    const window = {
      windowStart: Math.min(warmUpMilliseconds, trafficMilliseconds / 4),
      windowEnd: trafficMilliseconds + ladderMilliseconds,
    };
    const events = scheduleChaos({
      ...window,
      killsPerRole: options.killsPerRole,
      roles,
      brokerRestarts: options.brokerRestarts,
      lostAcks: options.lostAcks,
      random: seededRandom(options.seed ^ 0x5eed),
    });
    const faults =
      options.cluster === undefined
        ? []
        : scheduleClusterFaults({
            ...window,
            counts: options.cluster,
            beyondProducerRetriesMilliseconds: outageBeyondProducerRetriesMilliseconds,
            random: seededRandom(options.seed ^ 0xc1a5),
          });
    if (kafka.cluster !== undefined) {
      clusterAdmin = createAdmin(
        createKafkaClient({
          brokers: kafka.brokers,
          clientId: 'ricochet-chaos-cluster',
          logger: clientLogger,
        }),
      );
      await clusterAdmin.connect();
    }
    progress.info(
      `traffic: ${options.records} records at ${options.rate}/s; chaos: ${events.length} events` +
        (faults.length === 0 ? '' : `, ${faults.length} broker faults`),
    );
    const trafficStartedAt = Date.now();
    const [, tally, clusterFaults] = await Promise.all([
      producer.run().then(() => progress.info('traffic sent')),
      driveChaos(events, {
        supervisor,
        single: kafka.single,
        brokerStopMode: options.brokerRestartMode,
        producer,
        scaleTier: options.scaleTier,
        scaleUp: fleet.scaleUp,
        logger: progress,
        signal,
        trafficStartedAt,
      }),
      kafka.cluster === undefined || clusterAdmin === undefined
        ? Promise.resolve<FaultRecord[]>([])
        : driveClusterFaults(faults, {
            cluster: kafka.cluster,
            admin: clusterAdmin,
            topics: {
              source: sourceTopic,
              tiers: options.ladder.map((tier) => tier.topic),
              dlq: dlqTopic,
            },
            logger: progress,
            signal,
            trafficStartedAt,
          }),
    ]);
    progress.info('chaos over; waiting for every record to be resolved');
    const unresolved = await waitUntilResolved({
      plans,
      ledger,
      archive,
      timeoutMilliseconds: options.resolveTimeoutMs,
      logger: progress,
      signal,
    });
    if (unresolved.length > 0) {
      progress.warn(`${unresolved.length} records unresolved after the resolve timeout`);
    }
    await sleep(options.settleMs, signal);
    const notHealthyAtEnd = await waitUntilHealthy(supervisor, finalHealthWaitMilliseconds, signal);
    const instances = supervisor.instances().length;
    progress.info('stopping the services (SIGTERM)');
    const finalExits = await supervisor.stopAll(retireGraceMilliseconds);
    const uncleanStops = [...finalExits]
      .filter(([, exit]) => exit !== undefined && exit.code !== 0)
      .map(([name, exit]) => `${name} (exit ${exit?.code ?? exit?.signal})`);
    throwIfInterrupted(signal);
    const deadLetters = await countDeadLetters(kafka.brokers, dlqTopic, clientLogger);
    const archived = await readArchive(archive);
    const verdict = judge({
      plans,
      ladderLength: options.ladder.length,
      judgeKeyStrictOrder: options.judgeKeyStrictOrder,
      invocations: ledger.invocations(),
      sends: ledger.sends(),
      archive: archived,
      services: {
        instances,
        notHealthyAtEnd,
        uncleanStops: [...tally.uncleanScaleDowns, ...uncleanStops],
      },
    });
    const unexpectedExits: Record<Role, number> = { main: 0, delay: 0, dlq: 0 };
    supervisor.exits
      .filter((exit) => !exit.expected)
      .forEach((exit) => (unexpectedExits[exit.role] += 1));
    return {
      options,
      runDirectory: relative(process.cwd(), runDirectory),
      durationMilliseconds: Date.now() - startedAt,
      plans,
      tally,
      clusterFaults,
      unexpectedExits,
      failedSends: producer.failedSends,
      failureKinds: producer.failureKinds,
      deadLetters: { published: deadLetters, archived: archived.length },
      verdict,
    };
  } finally {
    await cleanUp('disconnecting the traffic producer', () => producer?.disconnect());
    await cleanUp('stopping the services', async () => {
      await supervisor.stopAll(retireGraceMilliseconds);
      supervisor.closeLogs();
    });
    await cleanUp('closing the archive', () => archive?.close());
    await cleanUp('closing the ledger', () => ledger.close());
    await cleanUp('closing the cluster admin client', () => clusterAdmin?.disconnect());
    await cleanUp('closing the fault proxy', () => kafka.single?.proxy.close());
    progress.info('stopping the chaos broker');
    await cleanUp('stopping the chaos broker', () => kafka.stop());
    process.removeListener('exit', killEverything);
    runnerLog.end();
  }
}
