import { startLocalCluster, type LocalCluster } from '@ricochet/testing';

/** The cluster's first client port; its nodes and controllers take the next five too. */
const clusterPort = 29892;

/** Test files that asked for the cluster and have not finished yet. */
let users = 0;
let shared: Promise<LocalCluster> | undefined;

/**
 * A three-node cluster (scripts/kafka-cluster, state under <repo>/.state/cluster-tests) shared by
 * every file of the run that uses it: a cluster start is most of such a file's time. It starts
 * fresh before the first of them, every node is running again before each next one (a test may
 * have killed one), and it is stopped, data deleted, after the last.
 */
export function useLocalCluster(): () => LocalCluster {
  users += 1;
  let cluster: LocalCluster | undefined;
  before(async function () {
    this.timeout(150_000);
    if (shared === undefined) {
      shared = startLocalCluster('cluster-tests', clusterPort);
      cluster = await shared;
      return;
    }
    cluster = await shared;
    await cluster.startStopped();
  });
  after(async function () {
    this.timeout(60_000);
    users -= 1;
    if (users === 0 && cluster !== undefined) {
      shared = undefined;
      await cluster.stop();
    }
  });
  return () => {
    if (cluster === undefined) {
      throw new Error('the local cluster did not start');
    }
    return cluster;
  };
}
