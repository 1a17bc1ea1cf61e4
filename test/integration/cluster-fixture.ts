import { startLocalCluster, type LocalCluster } from '@ricochet/testing';

/** The cluster's first client port; its nodes and controllers take the next five too. */
const clusterPort = 29892;

/**
 * A fresh three-node cluster (scripts/kafka-cluster) shared by one describe block, named `name`
 * under <repo>/.state: started before its tests and stopped, data deleted, after them.
 */
export function useLocalCluster(name: string): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  before(async function () {
    this.timeout(150_000);
    cluster = await startLocalCluster(name, clusterPort);
  });
  after(async function () {
    this.timeout(60_000);
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) {
      throw new Error('the local cluster did not start');
    }
    return cluster;
  };
}
