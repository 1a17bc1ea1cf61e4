import {
  createAdmin,
  createKafkaClient,
  type KafkaAdmin,
  type ServiceConnectionOptions,
} from '@ricochet/kafka';
import { ClusterUnreachableError } from './errors.js';

/** How to reach the cluster. Retries are fixed by this module: see `topologyRetry`. */
export type TopologyConnectionOptions = ServiceConnectionOptions;

export const topologyConnectionTimeoutMilliseconds = 2_000;
export const topologyRequestTimeoutMilliseconds = 5_000;

/**
 * Few, short retries: a person waits on these commands, and a wrong address must fail in seconds.
 * Worst case for an address that drops packets: 3 tries x 2 s connection timeout, plus at most
 * 1.25 s of backoff; for a port that accepts connections but never answers, about one request
 * timeout.
 */
const topologyRetry = {
  retries: 2,
  initialRetryTimeMilliseconds: 250,
  maxRetryTimeMilliseconds: 1_000,
};

/**
 * Connects an admin client and checks that a broker answers, or throws ClusterUnreachableError
 * within the bounds above. The caller disconnects the admin it gets.
 */
export async function openTopologyAdmin(options: TopologyConnectionOptions): Promise<KafkaAdmin> {
  const kafka = createKafkaClient({
    connectionTimeoutMilliseconds: topologyConnectionTimeoutMilliseconds,
    requestTimeoutMilliseconds: topologyRequestTimeoutMilliseconds,
    ...options,
    retry: topologyRetry,
  });
  const admin = createAdmin(kafka);
  try {
    await admin.connect();
    // connect() can succeed against a port that accepts connections but never speaks Kafka;
    // only an answered request shows that a broker is there.
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new ClusterUnreachableError(options.brokers, error);
  }
  return admin;
}

/** Runs `use` with a connected admin and always disconnects it afterwards. */
export async function withTopologyAdmin<T>(
  options: TopologyConnectionOptions,
  use: (admin: KafkaAdmin) => Promise<T>,
): Promise<T> {
  const admin = await openTopologyAdmin(options);
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
