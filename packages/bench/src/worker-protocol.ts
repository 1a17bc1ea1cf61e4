import type { Ordering } from '@ricochet/main-consumer/defaults';

/** What the bench asks a worker process to run: one side of a scenario, in a process of its own. */
export type WorkerRequest = ConsumeRequest | RetryRequest;

export interface ConsumeRequest {
  /** kafkajs's side: `eachBatch` as the happy path runs it, or `eachMessage` (autocommit). */
  readonly side: 'ricochet-consume' | 'kafkajs-consume' | 'kafkajs-each-message';
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  /** How long the handler awaits per record; 0 for the synchronous no-op handler. */
  readonly handlerDelayMilliseconds: number;
  /** Partitions handled at once; unset for the side's own default. */
  readonly concurrency?: number;
  /** Ricochet's ordering mode; unset for its default. */
  readonly ordering?: Ordering;
  /** Records Ricochet handles at once across its partitions; unset for its default. */
  readonly maxInFlight?: number;
}

export interface RetryRequest {
  readonly side: 'ricochet-retry' | 'async-retry';
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  readonly delayMilliseconds: number;
  /** Ricochet's dead-letter topic; kafkajs-async-retry derives its own from the group. */
  readonly dlqTopic: string;
}

/** A retry side's report: when (epoch milliseconds) the last record succeeded on redelivery. */
export interface RetryResult {
  readonly finishedAt: number;
  readonly failedFirst: number;
  readonly succeededOnRedelivery: number;
}

/** Messages from a worker to the bench. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'failed'; readonly message: string };
