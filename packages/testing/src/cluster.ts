import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createKafkaClient, type KafkaClient } from '@ricochet/kafka';
import { withAdmin } from './kafka-helpers.js';
import { testLogger } from './logger.js';

const run = promisify(execFile);

/** scripts/kafka-cluster, found from this file whether it runs from src/ or dist/. */
export const kafkaClusterScript = fileURLToPath(
  new URL('../../../scripts/kafka-cluster', import.meta.url),
);

const stateRoot = fileURLToPath(new URL('../../../.state', import.meta.url));

/** The node ids scripts/kafka-cluster runs. */
export type ClusterNodeId = 1 | 2 | 3;

/** A private three-node cluster (scripts/kafka-cluster): RF 3 and min.insync.replicas 2 by default. */
export interface LocalCluster {
  /** Every node's client listener, node 1 first. */
  readonly brokers: string[];
  /** A client of the test itself, bootstrapping from every node. */
  client(clientId?: string): KafkaClient;
  /** kill -9 of one node; resolves once it is gone. */
  killBroker(id: ClusterNodeId): Promise<void>;
  /** Starts every node that is not running; resolves once all three answer and list each other. */
  startStopped(): Promise<void>;
  /** The node leading `topic`'s `partition`, as the cluster's metadata says now. */
  leaderOf(topic: string, partition: number): Promise<ClusterNodeId>;
  /** Stops every node and deletes the cluster's data. */
  stop(): Promise<void>;
}

/**
 * Starts a fresh cluster named `name` (state under <repo>/.state/<name>) whose nodes listen on
 * `basePort` to `basePort + 2`, their controllers on the next three ports.
 */
export async function startLocalCluster(name: string, basePort: number): Promise<LocalCluster> {
  const environment = {
    ...process.env,
    RICOCHET_STATE_DIR: join(stateRoot, name),
    RICOCHET_KAFKA_CLUSTER_PORT: String(basePort),
  };
  const script = async (...command: string[]) => {
    await run(kafkaClusterScript, command, {
      env: environment,
      maxBuffer: 16 * 1024 * 1024,
    });
  };
  // A cluster left over from an interrupted run is stopped and emptied: every run starts clean.
  await script('reset');
  await script('start');
  const brokerOf = (id: ClusterNodeId) => `127.0.0.1:${basePort + id - 1}`;
  const brokers = [brokerOf(1), brokerOf(2), brokerOf(3)];
  const client = (clientId = 'ricochet-cluster-test') =>
    createKafkaClient({ brokers, clientId, logger: testLogger('cluster') });
  return {
    brokers,
    client,
    killBroker: (id) => script('kill-broker', String(id)),
    startStopped: () => script('start'),
    leaderOf: async (topic, partition) => {
      const [description] = await withAdmin(
        (admin) => admin.describeTopics([topic]),
        client('ricochet-cluster-leader'),
      );
      const leader = description?.partitions.find(
        (candidate) => candidate.partition === partition,
      )?.leader;
      if (leader !== 1 && leader !== 2 && leader !== 3) {
        throw new Error(`${topic}-${partition} has no leader among nodes 1-3 (${leader})`);
      }
      return leader;
    },
    stop: () => script('reset'),
  };
}
