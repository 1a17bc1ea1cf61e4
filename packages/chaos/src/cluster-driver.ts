import type { Logger } from '@ricochet/core';
import type { KafkaAdmin } from '@ricochet/kafka';
import { clusterNodeIds, clusterReplicationFactor, type ChaosCluster } from './cluster.js';
import type { ClusterFault, LeaderKillTarget } from './cluster-schedule.js';
import { ChaosInfrastructureError } from './errors.js';
import {
  fullyInSync,
  ledPartitions,
  type LedPartition,
  outOfSync,
  setMinInsyncReplicas,
  waitForPartitions,
} from './replicas.js';
import { formatElapsed, sleep } from './timing.js';

/** The topics the faults aim at, and whose replicas must be in sync before the next one. */
export interface ClusterTopics {
  readonly source: string;
  readonly tiers: readonly string[];
  readonly dlq: string;
}

export interface ClusterStage {
  readonly cluster: ChaosCluster;
  /** The runner's own admin client on the cluster: leaders, in-sync replicas, topic configs. */
  readonly admin: KafkaAdmin;
  readonly topics: ClusterTopics;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Fault times count from here. */
  readonly trafficStartedAt: number;
}

/** What one fault did, for the summary. */
export interface FaultRecord {
  readonly kind: ClusterFault['kind'];
  /** When it struck, ms after the traffic started. */
  readonly at: number;
  readonly broker: number;
  /** What it did, for a person: `kill -9 of broker 2, leader of chaos-orders[1]`. */
  readonly description: string;
  /** From taking the broker down until it answered again with the cluster whole. */
  readonly downMilliseconds: number;
  /** From then until every partition had all its replicas in sync; undefined: not in the wait. */
  readonly inSyncAfterMilliseconds: number | undefined;
}

/** How long a fault waits for the cluster to be whole again (every replica in sync). */
const inSyncWaitMilliseconds = 90_000;
/** How long the window below min.insync.replicas waits for the downed broker to leave the ISR. */
const fencedWaitMilliseconds = 30_000;

/**
 * Carries out the broker faults one after another, each once its time comes and the previous
 * one has ended with every replica in sync again: two brokers down of three would take the KRaft
 * quorum (combined mode) with them, and a fault on a cluster still catching up would strike a
 * partition with a single in-sync replica. A fault whose step fails (a broker that would not
 * start) fails the run: what follows would not be the run asked for.
 */
export async function driveClusterFaults(
  faults: readonly ClusterFault[],
  stage: ClusterStage,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  for (const fault of faults) {
    await sleep(stage.trafficStartedAt + fault.at - Date.now(), stage.signal);
    const record = await strike(fault, stage);
    stage.logger.info(`${record.description}; back after ${record.downMilliseconds} ms`, {
      inSyncAfterMilliseconds: record.inSyncAfterMilliseconds,
    });
    records.push(record);
  }
  return records;
}

async function strike(fault: ClusterFault, stage: ClusterStage): Promise<FaultRecord> {
  const { cluster, logger } = stage;
  const at = Date.now() - stage.trafficStartedAt;
  let broker: number;
  let description: string;
  const downAt = Date.now();
  switch (fault.kind) {
    case 'leader-kill':
    case 'broker-outage': {
      const victim = await leaderToKill(fault.target, fault.pick, stage);
      broker = victim.leader;
      description =
        `kill -9 of broker ${broker}, leader of ${victim.topic}[${victim.partition}], ` +
        `down for ${formatElapsed(fault.downForMilliseconds)}`;
      logger.info(description);
      await cluster.killBroker(broker);
      await sleep(fault.downForMilliseconds, stage.signal);
      break;
    }
    case 'controlled-restart': {
      broker = clusterNodeIds[Math.floor(fault.pick * clusterNodeIds.length)] as number;
      description = `controlled restart (SIGTERM) of broker ${broker}`;
      logger.info(description);
      await cluster.stopBroker(broker);
      break;
    }
    case 'below-min-isr': {
      const victim = await leaderToKill(fault.target, fault.pick, stage);
      broker = victim.leader;
      description = await belowMinInsyncReplicas(victim, fault.belowForMilliseconds, stage);
      break;
    }
  }
  await cluster.startBroker(broker);
  const downMilliseconds = Date.now() - downAt;
  const inSyncAfterMilliseconds = await waitForPartitions(
    stage.admin,
    allTopics(stage.topics),
    fullyInSync,
    { timeoutMilliseconds: inSyncWaitMilliseconds, signal: stage.signal, logger },
  );
  if (inSyncAfterMilliseconds === undefined) {
    logger.warn(
      `not every replica in sync ${inSyncWaitMilliseconds} ms after broker ${broker} came back`,
    );
  }
  return { kind: fault.kind, at, broker, description, downMilliseconds, inSyncAfterMilliseconds };
}

/**
 * kill -9 of one broker, then, once it is out of every in-sync replica set, min.insync.replicas
 * raised to the replication factor on the run's topics: the in-sync replicas (two) are now below
 * it, and every publish to them fails with NOT_ENOUGH_REPLICAS, for longer than the producers
 * retry. Two brokers down instead would leave a combined-mode quorum of one, which cannot shrink
 * an ISR: producers would only time out. The configs are put back before the broker starts.
 */
async function belowMinInsyncReplicas(
  victim: LedPartition,
  belowForMilliseconds: number,
  stage: ClusterStage,
): Promise<string> {
  const { admin, cluster, logger, signal } = stage;
  const broker = victim.leader;
  const topics = [stage.topics.source, ...stage.topics.tiers, stage.topics.dlq];
  const killed = `broker ${broker}, leader of ${victim.topic}[${victim.partition}], down (kill -9)`;
  logger.info(`${killed}, then below min.insync.replicas`);
  await cluster.killBroker(broker);
  const fencedAfter = await waitForPartitions(admin, topics, outOfSync(broker), {
    timeoutMilliseconds: fencedWaitMilliseconds,
    signal,
    logger,
  });
  const restore = await setMinInsyncReplicas(admin, topics, clusterReplicationFactor);
  try {
    logger.info(
      `min.insync.replicas ${clusterReplicationFactor} on ${topics.length} topics, with broker ${broker} down`,
      { belowForMilliseconds, fencedAfterMilliseconds: fencedAfter },
    );
    await sleep(belowForMilliseconds, signal);
  } finally {
    await restore();
  }
  return (
    `${killed}, then the in-sync replicas below min.insync.replicas ` +
    `(raised to ${clusterReplicationFactor}) for ${formatElapsed(belowForMilliseconds)}` +
    (fencedAfter === undefined ? ' (the broker was still in an ISR)' : '')
  );
}

/** The partition whose leader dies: `pick` chooses among the target's led partitions. */
async function leaderToKill(
  target: LeaderKillTarget,
  pick: number,
  stage: ClusterStage,
): Promise<LedPartition> {
  const { topics } = stage;
  const candidates = await ledPartitions(
    stage.admin,
    target === 'source' ? [topics.source] : target === 'dlq' ? [topics.dlq] : topics.tiers,
  );
  const victim = candidates[Math.floor(pick * candidates.length)];
  if (victim === undefined) {
    throw new ChaosInfrastructureError(`no partition of the ${target} topics has a leader`);
  }
  return victim;
}

/** The run's topics and the group offsets: all must be whole before the next fault. */
function allTopics(topics: ClusterTopics): string[] {
  return [topics.source, ...topics.tiers, topics.dlq, '__consumer_offsets'];
}
