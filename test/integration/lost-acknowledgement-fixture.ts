import {
  outageBeyondProducerRetriesMilliseconds,
  sleep,
  startProxiedBroker,
  type FaultProxy,
  type ProxiedBroker,
} from '@ricochet/testing';

export const outageMilliseconds = outageBeyondProducerRetriesMilliseconds;

/**
 * A private broker behind a fault proxy, shared by one describe block. The test's own helpers
 * (collectTopic, produceRecords, committedOffset) read KAFKA_BROKERS, so while the block runs
 * it names the private broker's direct listener; the services under test get `proxied`.
 */
export function useProxiedBroker(name: string): () => ProxiedBroker {
  let broker: ProxiedBroker | undefined;
  let previousBrokers: string | undefined;
  before(async function () {
    this.timeout(150_000);
    broker = await startProxiedBroker(name, {
      broker: 29341,
      controller: 29342,
      proxied: 29343,
      proxy: 29344,
    });
    previousBrokers = process.env.KAFKA_BROKERS;
    process.env.KAFKA_BROKERS = broker.direct.join(',');
  });
  after(async function () {
    this.timeout(60_000);
    process.env.KAFKA_BROKERS = previousBrokers;
    await broker?.stop();
  });
  return () => {
    if (broker === undefined) {
      throw new Error('the proxied broker did not start');
    }
    return broker;
  };
}

/** An `onEvent` listener that notes whether the service reported an event of `type`. */
export function reported(type: 'publish-failed' | 'commit-failed'): {
  onEvent: (event: { readonly type: string }) => void;
  seen: () => boolean;
} {
  let seen = false;
  return {
    onEvent: (event) => {
      seen ||= event.type === type;
    },
    seen: () => seen,
  };
}

/**
 * Ends the outage after a lost acknowledgement (`lostAt`) once `failed` says the service saw the
 * request fail (its client's retries ran out): what the test is about follows, not the rest of
 * the outage. Without that sign, the outage runs its full course.
 */
export async function endOutageOnceFailed(
  proxy: FaultProxy,
  lostAt: number,
  failed: () => boolean,
): Promise<void> {
  while (!failed() && Date.now() < lostAt + outageMilliseconds) {
    await sleep(100);
  }
  await proxy.endOutage();
}
