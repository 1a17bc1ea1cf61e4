/** A topic as the cluster reports it. */
export interface ObservedTopic {
  readonly name: string;
  readonly partitions: number;
  /** The smallest replica count over the topic's partitions: the weakest partition decides. */
  readonly replicationFactor: number;
  /** The effective value of every config, whether set on the topic or inherited. */
  readonly configs: Readonly<Record<string, string>>;
  /** The configs set on the topic itself, which replacing the topic's configs would remove. */
  readonly overrides: readonly string[];
}

/** What was read from the cluster: only the topics asked about, and only those that exist. */
export interface ObservedCluster {
  readonly brokerCount: number;
  /** The largest message.max.bytes of the brokers: what a new topic's max.message.bytes is. */
  readonly brokerMessageMaxBytes: number;
  readonly topics: ReadonlyMap<string, ObservedTopic>;
}
